#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::*;
use hark::clock::{Clock as _, ManualClock, SharedClock};
use hark::model::{Delivery, Folder, NetworkKind, Status};
use hark::networks::demo::{DemoNetwork, DemoSettings};
use hark::networks::{
    Capabilities, FetchPage, Network, NetworkError, NetworkResult, ReplyRequest, SentReply,
};
use hark::store::{PageCursor, Store};
use hark::sync::{StoreCell, SyncAccount, SyncEngine, SyncError, SyncEvent};
use tokio::sync::mpsc;

/// A network that answers fetches from a script and fails the first replies it is sent.
#[derive(Default)]
struct ScriptedNetwork {
    pages: Mutex<VecDeque<NetworkResult<FetchPage>>>,
    cursors_asked: Mutex<Vec<Option<String>>>,
    failing_replies: Mutex<VecDeque<NetworkError>>,
    replies: Mutex<Vec<ReplyRequest>>,
    /// Private replies fail with these, in turn, before one goes through.
    failing_private_replies: Mutex<VecDeque<NetworkError>>,
    private_replies: Mutex<Vec<String>>,
    /// When set, every page after the first is answered only once this is notified.
    later_pages_wait_for: Option<Arc<tokio::sync::Notify>>,
}

#[async_trait]
impl Network for ScriptedNetwork {
    fn kind(&self) -> NetworkKind {
        NetworkKind::Demo
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            reply: true,
            like: false,
            hide: false,
            private_reply: None,
            direct_message: false,
            profile_lookup: false,
            reply_limit: 500,
            reply_unit: hark::networks::LengthUnit::Characters,
            signatures: true,
            dm_window: None,
        }
    }

    fn streams(&self) -> Vec<&'static str> {
        vec!["mentions"]
    }

    async fn fetch_since(&self, _stream: &str, cursor: Option<&str>) -> NetworkResult<FetchPage> {
        self.cursors_asked
            .lock()
            .unwrap()
            .push(cursor.map(str::to_owned));
        if let Some(gate) = &self.later_pages_wait_for
            && self.cursors_asked.lock().unwrap().len() > 1
        {
            gate.notified().await;
        }
        self.pages
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(FetchPage {
                items: Vec::new(),
                cursor: None,
                more: false,
                resume: None,
            }))
    }

    async fn private_reply(
        &self,
        comment_remote_id: &str,
        _text: &str,
    ) -> NetworkResult<SentReply> {
        let mut sent = self.private_replies.lock().unwrap();
        sent.push(comment_remote_id.to_owned());
        if let Some(error) = self.failing_private_replies.lock().unwrap().pop_front() {
            return Err(error);
        }
        Ok(SentReply {
            remote_id: format!("private-{}", sent.len()),
        })
    }

    async fn reply(&self, request: &ReplyRequest) -> NetworkResult<SentReply> {
        self.replies.lock().unwrap().push(request.clone());
        if let Some(error) = self.failing_replies.lock().unwrap().pop_front() {
            return Err(error);
        }
        Ok(SentReply {
            remote_id: format!("sent-{}", self.replies.lock().unwrap().len()),
        })
    }
}

fn engine(
    path: &std::path::Path,
    clock: &ManualClock,
) -> (SyncEngine, mpsc::UnboundedReceiver<SyncEvent>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let clock: SharedClock = Arc::new(clock.clone());
    (
        SyncEngine::new(StoreCell::new(path.to_owned()), clock, sender),
        receiver,
    )
}

fn account(id: i64, network: Arc<dyn Network>) -> SyncAccount {
    SyncAccount {
        account_id: id,
        name: "brand".into(),
        network,
        interval: Duration::from_secs(60),
    }
}

/// A database file holding the brand's account, and a clock at minute 100.
fn brand_database() -> (tempfile::TempDir, std::path::PathBuf, i64, ManualClock) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (_, account_id) = store_with_account(Some(&path));
    (dir, path, account_id, ManualClock::new(t(100)))
}

fn page(
    items: Vec<hark::model::IncomingItem>,
    cursor: &str,
    more: bool,
) -> NetworkResult<FetchPage> {
    Ok(FetchPage {
        items,
        cursor: Some(cursor.into()),
        more,
        resume: None,
    })
}

#[tokio::test]
async fn sync_pages_until_done_and_resumes_from_the_stored_cursor_after_a_restart() {
    let (_dir, path, account_id, clock) = brand_database();

    let network = Arc::new(ScriptedNetwork::default());
    network.pages.lock().unwrap().extend([
        page(vec![inbound("a", "1", "one", 1)], "c1", true),
        page(vec![inbound("b", "2", "two", 2)], "c2", false),
    ]);
    let (sync, mut events) = engine(&path, &clock);
    let summary = sync
        .sync_once(&account(account_id, network.clone()))
        .await
        .unwrap();
    assert_eq!(summary.new_messages, 2);
    assert_eq!(
        *network.cursors_asked.lock().unwrap(),
        vec![None, Some("c1".to_string())]
    );
    let mut fetched = 0;
    while let Ok(event) = events.try_recv() {
        fetched += matches!(event, SyncEvent::Fetched { .. }) as usize;
    }
    assert_eq!(fetched, 2, "progress is reported per page");
    drop(sync);

    // A new process: the first request continues where the last one stopped.
    let network = Arc::new(ScriptedNetwork::default());
    let (sync, _events) = engine(&path, &clock);
    sync.sync_once(&account(account_id, network.clone()))
        .await
        .unwrap();
    assert_eq!(
        *network.cursors_asked.lock().unwrap(),
        vec![Some("c2".to_string())]
    );
}

#[tokio::test]
async fn a_failed_fetch_keeps_the_cursor_and_says_why() {
    let (_dir, path, account_id, clock) = brand_database();
    let network = Arc::new(ScriptedNetwork::default());
    network.pages.lock().unwrap().extend([
        page(vec![inbound("a", "1", "one", 1)], "c1", true),
        Err(NetworkError::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
            reset_at: None,
        }),
    ]);
    let (sync, _events) = engine(&path, &clock);
    let err = sync
        .sync_once(&account(account_id, network))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        SyncError::Network {
            source: NetworkError::RateLimited { .. },
            ..
        }
    ));
    let store = Store::open(&path).unwrap();
    let state = store.sync_cursor(account_id, "mentions").unwrap().unwrap();
    assert_eq!(
        state.cursor.as_deref(),
        Some("c1"),
        "what was stored stays stored"
    );
    assert!(state.last_error.unwrap().contains("rate limited"));
    assert_eq!(store.message_count().unwrap(), 1);
}

#[tokio::test]
async fn a_pass_in_pages_saves_its_cursor_only_at_the_end() {
    let (_dir, path, account_id, clock) = brand_database();
    let network = Arc::new(ScriptedNetwork::default());
    let resumed = |items, resume: &str| {
        Ok(FetchPage {
            items,
            cursor: None,
            more: false,
            resume: Some(resume.into()),
        })
    };
    network.pages.lock().unwrap().extend([
        resumed(vec![inbound("a", "3", "three", 3)], "pass-page-2"),
        resumed(vec![inbound("a", "2", "two", 2)], "pass-page-3"),
        Err(NetworkError::Transient("upstream went away".into())),
    ]);
    let (sync, _events) = engine(&path, &clock);
    sync.sync_once(&account(account_id, network.clone()))
        .await
        .unwrap_err();
    assert_eq!(
        *network.cursors_asked.lock().unwrap(),
        vec![
            None,
            Some("pass-page-2".to_string()),
            Some("pass-page-3".to_string())
        ]
    );
    let store = Store::open(&path).unwrap();
    assert_eq!(store.message_count().unwrap(), 2, "written pages stay");
    let state = store.sync_cursor(account_id, "mentions").unwrap().unwrap();
    assert_eq!(state.cursor, None, "a pass cut short starts again");
    drop(store);

    // The next pass starts over and ends with the newest position.
    let network = Arc::new(ScriptedNetwork::default());
    network.pages.lock().unwrap().extend([
        resumed(vec![inbound("a", "3", "three", 3)], "pass-page-2"),
        page(vec![inbound("a", "1", "one", 1)], "newest-3", false),
    ]);
    let summary = sync
        .sync_once(&account(account_id, network.clone()))
        .await
        .unwrap();
    assert_eq!((summary.new_messages, summary.duplicates), (1, 1));
    assert_eq!(network.cursors_asked.lock().unwrap()[0], None);
    let store = Store::open(&path).unwrap();
    let state = store.sync_cursor(account_id, "mentions").unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("newest-3"));
    let conversation = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap()
        .remove(0);
    assert_eq!(
        (conversation.snippet.as_str(), conversation.message_count),
        ("three", 3),
        "the newest message gives the list its line, whatever order pages came in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_already_fetched_are_committed_while_a_slow_page_is_awaited() {
    let (_dir, path, account_id, clock) = brand_database();
    let gate = Arc::new(tokio::sync::Notify::new());
    let network = Arc::new(ScriptedNetwork {
        later_pages_wait_for: Some(Arc::clone(&gate)),
        ..ScriptedNetwork::default()
    });
    network.pages.lock().unwrap().extend([
        page(vec![inbound("a", "1", "one", 1)], "c1", true),
        page(vec![inbound("b", "2", "two", 2)], "c2", false),
    ]);
    let (sync, _events) = engine(&path, &clock);
    let pass = tokio::spawn({
        let account = account(account_id, network.clone());
        async move { sync.sync_once(&account).await }
    });
    // The second page is not answered until another connection sees the first: the writer
    // does not keep its transaction open for a page that is slow to come.
    let reader = Store::open(&path).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while reader.message_count().unwrap() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first page was never committed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(reader.message_count().unwrap(), 1);
    gate.notify_one();
    let summary = pass.await.unwrap().unwrap();
    assert_eq!(summary.new_messages, 2);
    assert_eq!(reader.message_count().unwrap(), 2);
}

#[tokio::test]
async fn a_page_that_cannot_be_written_fails_the_pass_and_moves_no_cursor() {
    let (_dir, path, account_id, clock) = brand_database();
    let network = Arc::new(ScriptedNetwork::default());
    network.pages.lock().unwrap().extend([
        page(vec![inbound("a", "1", "one", 1)], "c1", true),
        page(vec![inbound("b", "2", "two", 2)], "c2", true),
        page(vec![inbound("c", "3", "three", 3)], "c3", false),
    ]);
    let (sync, _events) = engine(&path, &clock);
    // An account the database does not know: its pages cannot be written.
    let err = sync
        .sync_once(&account(account_id + 1, network))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Store(_)), "{err:?}");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.message_count().unwrap(), 0);
    assert!(
        store
            .sync_cursor(account_id + 1, "mentions")
            .unwrap()
            .is_none_or(|state| state.cursor.is_none())
    );
}

#[tokio::test]
async fn the_configured_rules_triage_what_the_sync_brings() {
    let (_dir, path, account_id, clock) = brand_database();
    let config = hark::config::Config::parse(
        r#"
[[rules]]
name = "refunds"
when = "contains refund"
then = ["tag Refund", "priority high"]
"#,
        std::path::Path::new("config.toml"),
    )
    .unwrap();
    let network = Arc::new(ScriptedNetwork::default());
    network.pages.lock().unwrap().extend([page(
        vec![
            inbound("a", "1", "I want a refund", 1),
            inbound("b", "2", "Lovely beans", 2),
        ],
        "c1",
        false,
    )]);
    let (sync, _events) = engine(&path, &clock);
    let sync = sync.with_rules(config.rule_set);
    sync.sync_once(&account(account_id, network)).await.unwrap();
    let store = Store::open(&path).unwrap();
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    let refund = rows
        .iter()
        .find(|r| r.snippet == "I want a refund")
        .unwrap();
    assert_eq!(refund.tags, vec!["Refund".to_string()]);
    assert_eq!(refund.priority, 1);
    let other = rows.iter().find(|r| r.snippet == "Lovely beans").unwrap();
    assert!(other.tags.is_empty());
}

#[tokio::test]
async fn a_failing_send_is_retried_with_the_same_key_and_then_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account_id) = store_with_account(Some(&path));
    ingest(&mut store, account_id, &[inbound("p", "m1", "help!", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let queued = store
        .queue_reply(id, "We're on it", "ana", false, ms(100))
        .unwrap();

    let clock = ManualClock::new(t(100));
    let network = Arc::new(ScriptedNetwork::default());
    network.failing_replies.lock().unwrap().extend([
        NetworkError::Transient("connection reset by peer".into()),
        NetworkError::Transient("502 Bad Gateway".into()),
    ]);
    let (sync, _events) = engine(&path, &clock);
    let brand = account(account_id, network.clone());

    let pass = sync.deliver_due(&brand).await.unwrap();
    assert_eq!((pass.delivered, pass.delivery_failures), (0, 1));
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Queued));
    assert_eq!(
        message.delivery_error.as_deref(),
        Some("connection reset by peer")
    );

    // Too early: nothing is tried.
    assert_eq!(sync.deliver_due(&brand).await.unwrap().delivery_failures, 0);
    clock.advance(chrono::Duration::seconds(2));
    assert_eq!(sync.deliver_due(&brand).await.unwrap().delivery_failures, 1);
    clock.advance(chrono::Duration::seconds(4));
    assert_eq!(sync.deliver_due(&brand).await.unwrap().delivered, 1);

    let replies = network.replies.lock().unwrap().clone();
    assert_eq!(replies.len(), 3);
    assert!(
        replies
            .iter()
            .all(|r| r.idempotency_key == replies[0].idempotency_key)
    );
    assert_eq!(replies[0].in_reply_to.as_deref(), Some("m1"));
    let attempts: Vec<i64> = replies.iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [1, 2, 3], "a network can tell a retry");
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Sent));
    assert_eq!(message.remote_id.as_deref(), Some("sent-3"));
    assert_eq!(store.outbox_entry(queued.outbox_id).unwrap().attempts, 3);
}

/// A comment conversation with a private reply queued to it; answers the outbox and message ids.
fn private_reply_queued(store: &mut Store, account_id: i64) -> (i64, i64) {
    let mut comment = inbound("post", "c1", "why was I charged twice?", 1);
    comment.kind = hark::model::ConversationKind::Comment;
    ingest(store, account_id, &[comment], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let week = 7 * 24 * 60 * 60 * 1000;
    let queued = store
        .queue_private_reply(id, None, "Sent you a DM", "ana", false, week, ms(2))
        .unwrap();
    (queued.outbox_id, queued.message_id)
}

#[tokio::test]
async fn a_private_reply_whose_lost_attempt_went_through_is_sent_not_failed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account_id) = store_with_account(Some(&path));
    let (outbox_id, message_id) = private_reply_queued(&mut store, account_id);
    let clock = ManualClock::new(t(3));
    let network = Arc::new(ScriptedNetwork::default());
    // The first attempt's answer is lost; the second hears that the comment has had its one
    // private reply: the first attempt's.
    network.failing_private_replies.lock().unwrap().extend([
        NetworkError::Transient("operation timed out".into()),
        NetworkError::AlreadyDone("this comment has had its one private reply already".into()),
    ]);
    let (sync, _events) = engine(&path, &clock);
    let brand = account(account_id, network.clone());
    assert_eq!(sync.deliver_due(&brand).await.unwrap().delivery_failures, 1);
    clock.advance(chrono::Duration::seconds(5));
    let pass = sync.deliver_due(&brand).await.unwrap();
    assert_eq!((pass.delivered, pass.delivery_failures), (1, 0));
    assert_eq!(network.private_replies.lock().unwrap().len(), 2);
    let message = store.message(message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Sent));
    assert_eq!(message.delivery_error, None);
    assert_eq!(store.outbox_entry(outbox_id).unwrap().attempts, 2);

    // Heard on a first attempt, it means someone answered privately elsewhere: refused, and
    // the person is told why.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account_id) = store_with_account(Some(&path));
    let (_, message_id) = private_reply_queued(&mut store, account_id);
    let network = Arc::new(ScriptedNetwork::default());
    network
        .failing_private_replies
        .lock()
        .unwrap()
        .push_back(NetworkError::AlreadyDone(
            "this comment has had its one private reply already".into(),
        ));
    let (sync, _events) = engine(&path, &clock);
    let pass = sync
        .deliver_due(&account(account_id, network))
        .await
        .unwrap();
    assert_eq!((pass.delivered, pass.delivery_failures), (0, 1));
    let message = store.message(message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Failed));
    assert!(
        message
            .delivery_error
            .as_deref()
            .is_some_and(|error| error.contains("one private reply")),
        "{message:?}"
    );
}

#[tokio::test]
async fn a_send_the_network_refuses_fails_at_once_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account_id) = store_with_account(Some(&path));
    ingest(&mut store, account_id, &[inbound("p", "m1", "help!", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let queued = store
        .queue_reply(id, "hello", "ana", false, ms(100))
        .unwrap();
    let clock = ManualClock::new(t(100));
    let network = Arc::new(ScriptedNetwork::default());
    network
        .failing_replies
        .lock()
        .unwrap()
        .push_back(NetworkError::Rejected("the post was deleted".into()));
    let (sync, mut events) = engine(&path, &clock);
    sync.deliver_due(&account(account_id, network))
        .await
        .unwrap();
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Failed));
    assert_eq!(
        message.delivery_error.as_deref(),
        Some("the post was deleted")
    );
    let failed = std::iter::from_fn(|| events.try_recv().ok())
        .any(|e| matches!(e, SyncEvent::DeliveryFailed { retry_in: None, .. }));
    assert!(failed, "the failure is reported as final");
}

#[tokio::test]
async fn the_demo_workflow_reply_close_and_the_customer_answers_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account_id) = store_with_account(Some(&path));
    let clock = ManualClock::new(t(0));
    let demo = Arc::new(DemoNetwork::new(
        DemoSettings {
            conversations: 30,
            reply_back_chance: 1.0,
            reply_back_after: Duration::from_secs(20),
            new_conversation_every: None,
            ..DemoSettings::default()
        },
        Arc::new(clock.clone()),
    ));
    let (sync, _events) = engine(&path, &clock);
    let brand = account(account_id, demo);
    let first = sync.sync_once(&brand).await.unwrap();
    assert_eq!(first.new_conversations, 30);

    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    store
        .queue_reply(id, "Thanks for writing!", "ana", true, clock.now_millis())
        .unwrap();
    let pass = sync.sync_once(&brand).await.unwrap();
    assert_eq!(pass.delivered, 1);
    assert_eq!(store.conversation(id).unwrap().row.status, Status::Closed);

    clock.advance(chrono::Duration::seconds(21));
    let pass = sync.sync_once(&brand).await.unwrap();
    assert_eq!((pass.new_messages, pass.reopened), (1, 1));
    let detail = store.conversation(id).unwrap();
    assert_eq!(
        detail.row.status,
        Status::Open,
        "the customer's answer reopened it"
    );
    let last = detail.messages.last().unwrap();
    let ours = &detail.messages[detail.messages.len() - 2];
    assert_eq!(ours.delivery, Some(Delivery::Sent));
    assert_eq!(
        last.parent_remote_id, ours.remote_id,
        "the answer is to our reply"
    );
}
