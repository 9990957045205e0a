#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
mod common;

use std::collections::HashSet;

use common::*;
use hark::model::{Delivery, Folder, NetworkKind, Status};
use hark::store::{PageCursor, Store, StoreError};

#[test]
fn migrations_run_from_empty_and_again_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/hark.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        hark::store::latest_schema_version() as i64
    );
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        hark::store::latest_schema_version() as i64
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_hark_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let err = Store::open(&path)
        .err()
        .expect("a newer schema must be refused");
    assert!(matches!(err, StoreError::Migration(_)), "{err}");
}

#[test]
fn ingesting_the_same_items_twice_stores_them_once() {
    let (mut store, account) = store_with_account(None);
    let items = vec![
        inbound("post-1", "c-1", "My payment page won't load", 1),
        inbound("post-1", "c-2", "Hello??", 2),
        inbound("post-2", "c-3", "Love the beans", 3),
    ];
    let first = ingest(&mut store, account, &items, 5);
    assert_eq!(
        (
            first.new_messages,
            first.new_conversations,
            first.duplicates
        ),
        (3, 2, 0)
    );
    let second = ingest(&mut store, account, &items, 6);
    assert_eq!(
        (
            second.new_messages,
            second.new_conversations,
            second.duplicates
        ),
        (0, 0, 3)
    );
    assert_eq!(store.message_count().unwrap(), 3);
    let page = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    assert_eq!(page.len(), 2);
    let post1 = page.iter().find(|row| row.message_count == 2).unwrap();
    assert_eq!(post1.snippet, "Hello??");
    assert_eq!(post1.last_message_at, ms(2));
    assert_eq!(post1.contact_name.as_deref(), Some("Layla Haddad"));
}

#[test]
fn a_new_inbound_message_reopens_a_closed_or_snoozed_conversation() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "m1", "hi", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    assert!(store.set_status(id, Status::Closed, "ana", ms(10)).unwrap());
    assert!(
        !store.set_status(id, Status::Closed, "ana", ms(10)).unwrap(),
        "already closed"
    );

    // An old message found late does not reopen it.
    let late = ingest(&mut store, account, &[inbound("p", "m0", "older", 0)], 11);
    assert!(late.reopened.is_empty());
    assert_eq!(store.conversation(id).unwrap().row.status, Status::Closed);

    let report = ingest(
        &mut store,
        account,
        &[inbound("p", "m2", "still broken", 12)],
        12,
    );
    assert_eq!(report.reopened, vec![id]);
    let detail = store.conversation(id).unwrap();
    assert_eq!(detail.row.status, Status::Open);
    assert!(detail.closed_at.is_none());

    store
        .set_status(id, Status::Snoozed, "ana", ms(13))
        .unwrap();
    let report = ingest(&mut store, account, &[inbound("p", "m3", "hello?", 14)], 14);
    assert_eq!(report.reopened, vec![id]);

    let kinds: Vec<String> = store
        .conversation_events(id)
        .unwrap()
        .into_iter()
        .map(|event| format!("{}:{}", event.actor, event.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            // Messages themselves are not events: their rows say when they came.
            "sync:conversation_created",
            "ana:closed",
            "sync:reopened",
            "ana:snoozed",
            "sync:reopened",
        ]
    );
}

#[test]
fn keyset_pages_walk_a_folder_without_gaps_or_repeats() {
    let (mut store, account) = store_with_account(None);
    // Several conversations share a timestamp, so the id must break ties.
    let items: Vec<_> = (0..57)
        .map(|i| inbound(&format!("root-{i}"), &format!("m-{i}"), "x", i / 3))
        .collect();
    ingest(&mut store, account, &items, 100);
    let mut seen = Vec::new();
    let mut cursor = PageCursor::START;
    loop {
        let page = store.folder_page(&Folder::Open, cursor, 10).unwrap();
        if page.is_empty() {
            break;
        }
        cursor = page.last().unwrap().cursor();
        seen.extend(page.into_iter().map(|row| (row.last_message_at, row.id)));
    }
    assert_eq!(seen.len(), 57);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 57);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, ties by id");
}

#[test]
fn folders_filter_by_status_tag_and_account() {
    let (mut store, account) = store_with_account(None);
    ingest(
        &mut store,
        account,
        &[
            inbound("a", "1", "pay", 1),
            inbound("b", "2", "ship", 2),
            inbound("c", "3", "wow", 3),
        ],
        3,
    );
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    let id_of = |snippet: &str| rows.iter().find(|r| r.snippet == snippet).unwrap().id;
    let (pay, ship) = (id_of("pay"), id_of("ship"));
    store
        .set_status(ship, Status::Closed, "ana", ms(4))
        .unwrap();
    store.tag(&[pay], "Payment", "ana", ms(4)).unwrap();
    let tag = store
        .tag_id("payment")
        .unwrap()
        .expect("tag names ignore case");

    let ids = |folder: Folder| -> Vec<i64> {
        store
            .folder_page(&folder, PageCursor::START, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(Folder::Open).len(), 2);
    assert_eq!(ids(Folder::Closed), vec![ship]);
    assert_eq!(ids(Folder::Tag(tag)), vec![pay]);
    assert_eq!(ids(Folder::Account(account)).len(), 2);
    assert_eq!(ids(Folder::Unassigned).len(), 2);
    assert!(ids(Folder::Mine("ana".into())).is_empty());
    let counts = store.folder_counts("ana").unwrap();
    assert_eq!((counts.open, counts.closed, counts.snoozed), (2, 1, 0));
    assert_eq!(counts.tags, vec![(tag, "Payment".to_string(), 1)]);
    let tagged = store.conversation_row(pay).unwrap().unwrap();
    assert_eq!(tagged.tags, vec!["Payment".to_string()]);
}

#[test]
fn full_text_search_finds_words_prefixes_names_and_any_script() {
    let (mut store, account) = store_with_account(None);
    ingest(
        &mut store,
        account,
        &[
            inbound("a", "1", "My payment page won't load", 1),
            inbound("b", "2", "결제 페이지가 안 열려요", 2),
            inbound("c", "3", "صفحة الدفع لا تفتح", 3),
            inbound("d", "4", "Café au lait please", 4),
        ],
        4,
    );
    let found = |query: &str| -> Vec<String> {
        store
            .search(query, 10)
            .unwrap()
            .into_iter()
            .map(|hit| hit.conversation.snippet)
            .collect()
    };
    assert_eq!(found("payment"), vec!["My payment page won't load"]);
    assert_eq!(
        found("pay"),
        vec!["My payment page won't load"],
        "prefix of the last word"
    );
    assert_eq!(found("결제"), vec!["결제 페이지가 안 열려요"]);
    assert_eq!(found("الدفع"), vec!["صفحة الدفع لا تفتح"]);
    assert_eq!(
        found("cafe"),
        vec!["Café au lait please"],
        "accents are ignored"
    );
    assert_eq!(found("haddad").len(), 4, "the author's name is searchable");
    assert!(
        found("\"unbalanced AND (").is_empty(),
        "odd input is not an error"
    );
}

#[test]
fn a_reply_is_queued_then_sent_with_its_state_visible() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "m1", "help", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    assert!(matches!(
        store.queue_reply(id, "   ", "ana", false, ms(2)),
        Err(StoreError::Rejected(_))
    ));
    let queued = store.queue_reply(id, "On it!", "ana", true, ms(2)).unwrap();
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Queued));
    assert_eq!(message.parent_remote_id.as_deref(), Some("m1"));
    assert_eq!(store.conversation(id).unwrap().row.status, Status::Closed);

    // Not due yet for an earlier clock; due now.
    assert!(store.claim_due_action(account, ms(1)).unwrap().is_none());
    let claimed = store.claim_due_action(account, ms(2)).unwrap().unwrap();
    assert_eq!(claimed.text.as_deref(), Some("On it!"));
    assert_eq!(claimed.entry.attempts, 1);
    assert!(
        store.claim_due_action(account, ms(2)).unwrap().is_none(),
        "claimed once"
    );
    assert_eq!(
        store.message(queued.message_id).unwrap().unwrap().delivery,
        Some(Delivery::Sending)
    );

    store
        .retry_action_later(claimed.entry.id, "connection reset", ms(5), ms(2))
        .unwrap();
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Queued));
    assert_eq!(message.delivery_error.as_deref(), Some("connection reset"));
    assert!(
        store.claim_due_action(account, ms(4)).unwrap().is_none(),
        "waits for its retry time"
    );

    let again = store.claim_due_action(account, ms(5)).unwrap().unwrap();
    assert_eq!(again.entry.attempts, 2);
    assert_eq!(again.entry.idempotency_key, claimed.entry.idempotency_key);
    // The sync fetched our reply back before the delivery was recorded.
    let mut echo = inbound("p", "r-77", "On it!", 6);
    echo.message.direction = hark::model::Direction::Out;
    ingest(&mut store, account, &[echo], 6);
    store
        .complete_action(again.entry.id, Some("r-77"), ms(6))
        .unwrap();

    let detail = store.conversation(id).unwrap();
    assert_eq!(
        detail.messages.len(),
        2,
        "the echo is merged into our reply"
    );
    assert_eq!(detail.row.message_count, 2);
    let reply = detail
        .messages
        .iter()
        .find(|m| m.id == queued.message_id)
        .unwrap();
    assert_eq!(reply.delivery, Some(Delivery::Sent));
    assert_eq!(reply.remote_id.as_deref(), Some("r-77"));
    assert_eq!(reply.delivery_error, None);
    assert_eq!(reply.agent.as_deref(), Some("ana"));
    assert_eq!(detail.row.first_response_at, Some(ms(6)));
}

#[test]
fn a_refused_like_is_taken_back_and_the_reason_kept() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "m1", "nice", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let outbox = store.queue_like(id, None, true, "ana", ms(2)).unwrap();
    let message = store.latest_inbound(id).unwrap().unwrap();
    assert!(message.liked, "liked at once");
    let claimed = store.claim_due_action(account, ms(2)).unwrap().unwrap();
    assert_eq!(claimed.entry.target_remote_id.as_deref(), Some("m1"));
    store
        .fail_action(outbox, "the post was deleted", ms(3))
        .unwrap();
    assert!(!store.latest_inbound(id).unwrap().unwrap().liked);
    let entry = store.outbox_entry(outbox).unwrap();
    assert_eq!(entry.state, Delivery::Failed);
    assert_eq!(entry.last_error.as_deref(), Some("the post was deleted"));
    assert_eq!(
        store.latest_inbound(id).unwrap().unwrap().delivery_error,
        None,
        "the customer's message carries no delivery error (it is not a reply of ours)"
    );
}

#[test]
fn deliveries_interrupted_by_a_crash_go_back_to_the_queue() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "m1", "hi", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let queued = store.queue_reply(id, "hello", "ana", false, ms(2)).unwrap();
    store.claim_due_action(account, ms(2)).unwrap().unwrap();
    assert_eq!(
        store.requeue_stale_sending(ms(1), ms(3)).unwrap(),
        0,
        "recent claims are left alone"
    );
    assert_eq!(store.requeue_stale_sending(ms(3), ms(3)).unwrap(), 1);
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(message.delivery, Some(Delivery::Queued));
    assert!(store.claim_due_action(account, ms(3)).unwrap().is_some());
}

#[test]
fn cursors_are_saved_with_their_items_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account) = store_with_account(Some(&path));
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "mentions",
            &[inbound("p", "1", "a", 1)],
            Some("cur-1"),
            ms(1),
        )
        .unwrap();
    // A page with no new cursor keeps the stored one.
    store
        .ingest(account, NetworkKind::Demo, "mentions", &[], None, ms(2))
        .unwrap();
    store
        .record_sync_error(account, "mentions", "timed out", ms(3))
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let state = store.sync_cursor(account, "mentions").unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("cur-1"));
    assert_eq!(state.last_ok_at, Some(ms(2)));
    assert_eq!(state.last_error.as_deref(), Some("timed out"));
    assert!(store.sync_cursor(account, "dms").unwrap().is_none());
}

#[test]
fn failing_streams_are_recorded_troubles_until_they_fetch_again() {
    let (mut store, account) = store_with_account(None);
    assert_eq!(store.recorded_troubles().unwrap(), Vec::new());
    store
        .record_sync_error(account, "mentions", "timed out", ms(1))
        .unwrap();
    store
        .record_sync_error(account, "dms", "missing permission pages_messaging", ms(1))
        .unwrap();
    let troubles = store.recorded_troubles().unwrap();
    assert_eq!(troubles.len(), 1, "one line per account: {troubles:?}");
    assert_eq!(troubles[0].subject, "brand");
    assert_eq!(
        troubles[0].text,
        "error: dms: missing permission pages_messaging; mentions: timed out"
    );
    // The next good fetch of a stream clears its error.
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "mentions",
            &[],
            Some("c"),
            ms(2),
        )
        .unwrap();
    let troubles = store.recorded_troubles().unwrap();
    assert_eq!(
        troubles[0].text,
        "error: dms: missing permission pages_messaging"
    );
}

#[test]
fn pages_written_together_report_each_page_and_keep_the_last_cursor() {
    let (mut store, account) = store_with_account(None);
    let rules = hark::rules::RuleSet::default();
    let first = hark::store::prepare(
        vec![
            inbound("p1", "1", "refund for order one", 1),
            inbound("p1", "2", "still waiting", 2),
        ],
        &rules,
    );
    // The second page holds one message already stored by the first, one new in its thread
    // and a new conversation.
    let second = hark::store::prepare(
        vec![
            inbound("p1", "2", "still waiting", 2),
            inbound("p1", "3", "hello again", 3),
            inbound("p2", "4", "refund please", 4),
        ],
        &rules,
    );
    let source = |cursor| hark::store::PageSource {
        account_id: account,
        network: NetworkKind::Demo,
        stream: "mentions",
        cursor,
        now: ms(5),
    };
    let reports = store
        .ingest_pages(
            &[
                (source(Some("after-first")), first.as_slice()),
                (source(None), second.as_slice()),
            ],
            &rules,
        )
        .unwrap();
    let counts: Vec<_> = reports
        .iter()
        .map(|r| (r.new_messages, r.new_conversations, r.duplicates))
        .collect();
    assert_eq!(counts, vec![(2, 1, 0), (2, 1, 1)]);
    // A page without a cursor keeps the one saved before it in the same write.
    let state = store.sync_cursor(account, "mentions").unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("after-first"));
    // Both pages are searchable, and the thread's list columns count all three messages.
    assert_eq!(store.search("refund", 10).unwrap().len(), 2);
    let thread = store
        .search("hello", 10)
        .unwrap()
        .pop()
        .unwrap()
        .conversation;
    assert_eq!(thread.message_count, 3);
    assert!(thread.snippet.contains("hello again"), "{}", thread.snippet);
}

#[test]
fn pages_fed_one_by_one_are_committed_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account) = store_with_account(Some(&path));
    let reader = Store::open(&path).unwrap();
    let rules = hark::rules::RuleSet::default();
    let pages = [
        hark::store::prepare(vec![inbound("p1", "1", "one", 1)], &rules),
        hark::store::prepare(vec![inbound("p2", "2", "two", 2)], &rules),
    ];
    fn source(account_id: i64, cursor: Option<&str>) -> hark::store::PageSource<'_> {
        hark::store::PageSource {
            account_id,
            network: NetworkKind::Demo,
            stream: "mentions",
            cursor,
            now: ms(5),
        }
    }
    let mut fed = 0;
    let reports = store
        .ingest_pages_from(account, &rules, |open| {
            // Nothing is seen by another connection before the last page is fed.
            assert_eq!(reader.message_count().unwrap(), 0);
            assert_eq!(open.pages(), fed);
            let Some(items) = pages.get(fed) else {
                return Ok(false);
            };
            fed += 1;
            let cursor = format!("after-{fed}");
            open.store_page(&source(account, Some(&cursor)), items)?;
            Ok(true)
        })
        .unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reader.message_count().unwrap(), 2);
    let state = reader.sync_cursor(account, "mentions").unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("after-2"));
    assert_eq!(reader.search("two", 10).unwrap().len(), 1);

    // A page that cannot be stored takes the pages fed before it with it.
    let later = [
        hark::store::prepare(vec![inbound("p3", "3", "three", 3)], &rules),
        hark::store::prepare(vec![inbound("p4", "4", "four", 4)], &rules),
    ];
    let mut fed = 0;
    let failed = store.ingest_pages_from(account, &rules, |open| {
        fed += 1;
        // The second page names an account the database does not have.
        let account_id = if fed == 1 { account } else { account + 1 };
        open.store_page(&source(account_id, Some("never")), &later[fed - 1])?;
        Ok(true)
    });
    assert!(failed.is_err());
    assert_eq!(reader.message_count().unwrap(), 2);
    let state = reader.sync_cursor(account, "mentions").unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("after-2"));
}

#[test]
fn a_new_conversation_takes_the_time_of_its_newest_message_stored() {
    let (mut store, account) = store_with_account(None);
    // "m3" is stored first, in a conversation of its own.
    ingest(
        &mut store,
        account,
        &[inbound("elsewhere", "m3", "stored before", 30)],
        1,
    );
    // A page with a new thread, oldest first, whose newest message is "m3" (already stored,
    // so not the thread's), and a new thread given newest first.
    ingest(
        &mut store,
        account,
        &[
            inbound("thread", "m1", "first", 10),
            inbound("thread", "m2", "second", 20),
            inbound("thread", "m3", "stored before", 30),
            inbound("newest-first", "m6", "six", 60),
            inbound("newest-first", "m5", "five", 50),
        ],
        2,
    );
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    let columns: Vec<_> = rows
        .iter()
        .map(|row| {
            (
                row.snippet.as_str(),
                row.message_count,
                row.last_message_at,
                row.last_inbound_at,
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            ("six", 2, ms(60), Some(ms(60))),
            ("stored before", 1, ms(30), Some(ms(30))),
            ("second", 2, ms(20), Some(ms(20))),
        ],
        "newest first, each with its own newest message"
    );
}

#[test]
fn a_message_stored_before_under_another_thread_opens_no_empty_conversation() {
    let (mut store, account) = store_with_account(None);
    ingest(
        &mut store,
        account,
        &[inbound("first-root", "m1", "hello", 1)],
        1,
    );
    // The same message again, now said to start another thread (a network that files one
    // post under two roots): it stays where it is, and nothing new is listed.
    let report = ingest(
        &mut store,
        account,
        &[inbound("other-root", "m1", "hello", 1)],
        2,
    );
    assert_eq!(
        (
            report.new_messages,
            report.new_conversations,
            report.duplicates
        ),
        (0, 0, 1)
    );
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].snippet.as_str(), rows[0].message_count),
        ("hello", 1)
    );
}

#[test]
fn a_message_hidden_on_the_network_is_hidden_here_unless_a_hide_from_here_is_pending() {
    let (mut store, account) = store_with_account(None);
    let hidden_of = |store: &Store| -> bool {
        store
            .conn()
            .query_row(
                "SELECT hidden FROM messages WHERE remote_id = 'c1'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let said = |hidden: Option<bool>| {
        let mut item = inbound("post", "c1", "buy followers at spam.example", 1);
        item.message.hidden = hidden;
        item
    };
    // Hidden by the network's moderation before hark saw it.
    ingest(&mut store, account, &[said(Some(true))], 1);
    assert!(hidden_of(&store));
    // Shown again in the network's own app; a network that does not say changes nothing.
    ingest(&mut store, account, &[said(Some(false))], 2);
    assert!(!hidden_of(&store));
    ingest(&mut store, account, &[said(None)], 3);
    assert!(!hidden_of(&store));

    // Hidden here, the hide not yet sent: what the network still says does not undo it.
    let message_id: i64 = store
        .conn()
        .query_row("SELECT id FROM messages WHERE remote_id = 'c1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let outbox_id = store.queue_hide(message_id, true, "ana", ms(4)).unwrap();
    ingest(&mut store, account, &[said(Some(false))], 5);
    assert!(hidden_of(&store));
    // Sent: for a while the network's answers may not show it yet…
    store.complete_action(outbox_id, None, ms(6)).unwrap();
    ingest(&mut store, account, &[said(Some(false))], 7);
    assert!(hidden_of(&store));
    // …after which the network's word counts again (shown there by someone since).
    ingest(&mut store, account, &[said(Some(false))], 30);
    assert!(!hidden_of(&store));
}

#[test]
fn a_known_contact_is_written_only_when_the_network_says_something_new() {
    let (mut store, account) = store_with_account(None);
    let mut first = inbound("p1", "1", "hello", 1);
    first.customer.bio = Some("coffee lover".into());
    first.customer.followers = Some(10);
    first.message.author = first.customer.clone();
    ingest(&mut store, account, &[first.clone()], 1);
    let contact_id: i64 = store
        .conn()
        .query_row("SELECT id FROM contacts WHERE remote_id = 'u1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let written_at = |store: &Store| -> i64 {
        store
            .conn()
            .query_row(
                "SELECT updated_at FROM contacts WHERE id = ?1",
                [contact_id],
                |r| r.get(0),
            )
            .unwrap()
    };
    let first_written = written_at(&store);

    // The same profile again, on a later page: nothing to write.
    let mut again = first.clone();
    again.message.remote_id = "2".into();
    ingest(&mut store, account, &[again.clone()], 5);
    assert_eq!(written_at(&store), first_written);

    // A new name; the bio and followers left out keep what is stored.
    let mut renamed = again;
    renamed.message.remote_id = "3".into();
    renamed.customer.name = Some("Layla H.".into());
    renamed.customer.bio = None;
    renamed.customer.followers = None;
    renamed.message.author = renamed.customer.clone();
    ingest(&mut store, account, &[renamed], 9);
    assert!(written_at(&store) > first_written);
    let contact = store.contact(contact_id).unwrap();
    assert_eq!(contact.name.as_deref(), Some("Layla H."));
    assert_eq!(contact.bio.as_deref(), Some("coffee lover"));
    assert_eq!(contact.followers, Some(10));
}

#[test]
fn the_events_log_is_append_only() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "1", "a", 1)], 1);
    let update = store
        .conn()
        .execute("UPDATE events SET actor = 'mallory'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = store.conn().execute("DELETE FROM events", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[test]
fn unknown_values_in_the_database_are_reported_by_name() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "1", "a", 1)], 1);
    store
        .conn()
        .execute("UPDATE accounts SET network = 'friendster'", [])
        .unwrap();
    let err = store.accounts().unwrap_err().to_string();
    assert!(err.contains("unknown network 'friendster'"), "{err}");
}

#[test]
fn closing_queues_telling_the_network() {
    let (mut store, account) = store_with_account(None);
    let mut dm = inbound("conv-9", "m1", "hi", 1);
    dm.kind = hark::model::ConversationKind::Dm;
    ingest(
        &mut store,
        account,
        &[dm, inbound("post-1", "m2", "hello", 2)],
        2,
    );
    for row in store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap()
    {
        store
            .set_status(row.id, Status::Closed, "ana", ms(3))
            .unwrap();
    }
    let claimed = store.claim_due_action(account, ms(3)).unwrap().unwrap();
    assert_eq!(claimed.entry.action, hark::model::OutboxAction::Close);
    assert_eq!(claimed.root_remote_id, "conv-9");
    assert!(
        store.claim_due_action(account, ms(3)).unwrap().is_none(),
        "only the DM"
    );
}

#[test]
fn one_process_holds_the_sync_lease_until_it_stops_beating_or_dies() {
    let (mut store, _) = store_with_account(None);
    let ttl = 45_000;
    assert_eq!(
        store
            .acquire_sync_lease("box-a:10", ms(0), ttl)
            .unwrap()
            .holder,
        "box-a:10"
    );
    assert_eq!(
        store
            .acquire_sync_lease("box-b:20", ms(0), ttl)
            .unwrap()
            .holder,
        "box-a:10",
        "held"
    );
    assert_eq!(
        store
            .acquire_sync_lease("box-a:10", ms(0) + 10_000, ttl)
            .unwrap()
            .holder,
        "box-a:10",
        "renewed"
    );
    assert_eq!(
        store
            .acquire_sync_lease("box-b:20", ms(0) + 50_000, ttl)
            .unwrap()
            .holder,
        "box-a:10",
        "still fresh"
    );
    assert_eq!(
        store
            .acquire_sync_lease("box-b:20", ms(0) + 60_000, ttl)
            .unwrap()
            .holder,
        "box-b:20",
        "taken over"
    );
    // A holder on this machine whose process is gone loses the lease at once.
    let me = hark::store::lease::this_process();
    let host = me.rsplit_once(':').unwrap().0;
    let mut other = store_with_account(None).0;
    other
        .acquire_sync_lease(&format!("{host}:999999999"), ms(0), ttl)
        .unwrap();
    assert_eq!(
        other.acquire_sync_lease(&me, ms(0), ttl).unwrap().holder,
        me
    );
    other.release_sync_lease(&me).unwrap();
    assert!(other.sync_lease().unwrap().is_none());
}

#[test]
fn a_comment_gets_one_private_reply_within_its_window() {
    const WEEK: i64 = 7 * 24 * 60 * 60 * 1000;
    let (mut store, account) = store_with_account(None);
    let mut comment = inbound("post", "c1", "What is the discount code?", 1);
    comment.kind = hark::model::ConversationKind::Comment;
    let mut second = inbound("post", "c2", "And shipping?", 2);
    second.kind = hark::model::ConversationKind::Comment;
    ingest(
        &mut store,
        account,
        &[comment, second, inbound("dm-root", "d1", "hi", 3)],
        3,
    );
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 5)
        .unwrap();
    let comment_id = rows
        .iter()
        .find(|r| r.kind == hark::model::ConversationKind::Comment)
        .unwrap()
        .id;
    let mention_id = rows
        .iter()
        .find(|r| r.kind != hark::model::ConversationKind::Comment)
        .unwrap()
        .id;

    let refused = store
        .queue_private_reply(mention_id, None, "psst", "ana", false, WEEK, ms(4))
        .unwrap_err();
    assert!(
        refused.to_string().contains("answers a comment"),
        "{refused}"
    );

    // The latest comment by default; marked private, answering it.
    let queued = store
        .queue_private_reply(comment_id, None, "Code AUTUMN10", "ana", false, WEEK, ms(4))
        .unwrap();
    let message = store.message(queued.message_id).unwrap().unwrap();
    assert!(message.private);
    assert_eq!(message.parent_remote_id.as_deref(), Some("c2"));
    assert_eq!(message.delivery, Some(Delivery::Queued));

    let again = store
        .queue_private_reply(comment_id, None, "Again", "ana", false, WEEK, ms(5))
        .unwrap_err();
    assert!(
        again.to_string().contains("already has a private reply"),
        "{again}"
    );

    // The delivery carries the text and the comment it answers.
    let claimed = store.claim_due_action(account, ms(5)).unwrap().unwrap();
    assert_eq!(
        claimed.entry.action,
        hark::model::OutboxAction::PrivateReply
    );
    assert_eq!(claimed.entry.target_remote_id.as_deref(), Some("c2"));
    assert_eq!(claimed.text.as_deref(), Some("Code AUTUMN10"));
    // Refused by the network: the comment may be answered privately once more.
    store
        .fail_action(claimed.entry.id, "refused", ms(6))
        .unwrap();
    let failed = store.message(queued.message_id).unwrap().unwrap();
    assert_eq!(failed.delivery, Some(Delivery::Failed));
    assert_eq!(failed.delivery_error.as_deref(), Some("refused"));
    store
        .queue_private_reply(comment_id, None, "Code AUTUMN10", "ana", false, WEEK, ms(7))
        .unwrap();

    // The first comment, chosen by id, is more than a week old by now.
    let first = store
        .conversation(comment_id)
        .unwrap()
        .messages
        .iter()
        .find(|m| m.remote_id.as_deref() == Some("c1"))
        .unwrap()
        .id;
    let late = store
        .queue_private_reply(
            comment_id,
            Some(first),
            "Hi",
            "ana",
            false,
            WEEK,
            ms(1) + WEEK + 60_000,
        )
        .unwrap_err();
    assert!(late.to_string().contains("within 7 days"), "{late}");
    let ours = store.message(queued.message_id).unwrap().unwrap().id;
    let not_theirs = store
        .queue_private_reply(comment_id, Some(ours), "Hi", "ana", false, WEEK, ms(8))
        .unwrap_err();
    assert!(
        not_theirs.to_string().contains("not one of ours"),
        "{not_theirs}"
    );
}

#[test]
fn search_hits_have_a_folder_of_their_own() {
    let (mut store, account) = store_with_account(None);
    let mut hit = inbound("t-900", "900", "anyone tried kettle and crumb?", 1);
    hit.kind = hark::model::ConversationKind::SearchHit;
    ingest(
        &mut store,
        account,
        &[hit, inbound("t-1", "1", "@brand hi", 2)],
        2,
    );
    let searches = store
        .folder_page(&Folder::Searches, PageCursor::START, 10)
        .unwrap();
    assert_eq!(searches.len(), 1);
    assert_eq!(searches[0].kind, hark::model::ConversationKind::SearchHit);
    let counts = store.folder_counts("ana").unwrap();
    assert_eq!((counts.searches, counts.open), (1, 2));
    store
        .set_status(searches[0].id, Status::Closed, "ana", ms(3))
        .unwrap();
    assert!(
        store
            .folder_page(&Folder::Searches, PageCursor::START, 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn teammates_see_who_is_where_until_the_heartbeat_stops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut ana, account) = store_with_account(Some(&path));
    let mut ana = {
        ingest(&mut ana, account, &[inbound("p", "m1", "help", 1)], 1);
        ana.as_inbox("box:ana-inbox")
    };
    let mut bob = Store::open(&path).unwrap().as_inbox("box:bob-inbox");
    let id = ana
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    use hark::model::Activity;
    ana.set_presence("ana", Some((id, Activity::Replying)), ms(2))
        .unwrap();
    bob.set_presence("bob", Some((id, Activity::Viewing)), ms(2))
        .unwrap();
    let seen_by_bob = bob.presence(ms(2)).unwrap();
    assert_eq!(seen_by_bob.len(), 1, "not his own inbox");
    assert_eq!(
        (seen_by_bob[0].agent.as_str(), seen_by_bob[0].activity),
        ("ana", Activity::Replying)
    );
    // Ana leaves: gone at once. Bob stops beating: gone after the time to live.
    let soon = ms(2) + 1_000;
    ana.set_presence("ana", None, soon).unwrap();
    assert!(bob.presence(soon).unwrap().is_empty());
    assert_eq!(ana.presence(soon).unwrap().len(), 1);
    let later = ms(2) + hark::store::PRESENCE_TTL + 1;
    assert!(ana.presence(later).unwrap().is_empty());
}

#[test]
fn a_reply_is_held_back_when_a_teammate_answered_meanwhile() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "m1", "help", 1)], 1);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let seen = store.conversation(id).unwrap().messages[0].id;
    // Bob answers while Ana writes.
    store
        .queue_reply(id, "Bob here: on it", "bob", false, ms(2))
        .unwrap();
    let held = store
        .queue_reply_unless_answered(id, "Ana here", "ana", true, Some(seen), ms(3))
        .unwrap_err();
    match held {
        StoreError::TeammateReplied {
            who,
            text,
            latest_message_id,
        } => {
            assert_eq!((who.as_str(), text.as_str()), ("bob", "Bob here: on it"));
            assert!(latest_message_id > seen);
            // Nothing was queued or closed; sending past Bob's reply goes.
            assert_eq!(store.conversation(id).unwrap().messages.len(), 2);
            assert_eq!(store.conversation(id).unwrap().row.status, Status::Open);
            store
                .queue_reply_unless_answered(
                    id,
                    "Ana here",
                    "ana",
                    true,
                    Some(latest_message_id),
                    ms(4),
                )
                .unwrap();
        }
        other => panic!("{other}"),
    }
    // Her own earlier replies never hold her back.
    let mine = store.conversation(id).unwrap().messages.last().unwrap().id;
    store
        .queue_reply_unless_answered(id, "and more", "ana", false, Some(mine - 1), ms(5))
        .unwrap();
}

#[test]
fn roles_start_open_and_a_team_always_keeps_an_admin() {
    use hark::model::Role;
    let (mut store, _) = store_with_account(None);
    assert_eq!(
        store.role_of("anyone").unwrap(),
        Role::Admin,
        "nobody listed yet"
    );
    let first = store
        .set_person("ana", "Ana", Role::Agent, "ana", ms(1))
        .unwrap_err();
    assert!(first.to_string().contains("needs an admin"), "{first}");
    store
        .set_person("root", "Admin", Role::Admin, "root", ms(1))
        .unwrap();
    store
        .set_person("ana", "Ana", Role::Agent, "root", ms(2))
        .unwrap();
    assert_eq!(store.role_of("ana").unwrap(), Role::Agent);
    assert_eq!(store.role_of("root").unwrap(), Role::Admin);
    assert_eq!(
        store.role_of("stranger").unwrap(),
        Role::Agent,
        "unlisted: agent"
    );
    let demote = store
        .set_person("root", "Admin", Role::Agent, "root", ms(3))
        .unwrap_err();
    assert!(demote.to_string().contains("needs an admin"), "{demote}");
    let last = store.remove_person("root").unwrap_err();
    assert!(last.to_string().contains("last admin"), "{last}");
    store.remove_person("ana").unwrap();
    store.remove_person("root").unwrap();
    assert_eq!(
        store.role_of("ana").unwrap(),
        Role::Admin,
        "the list is empty again"
    );
}

#[test]
fn read_marks_are_per_person_until_someone_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut ana, account) = store_with_account(Some(&path));
    ingest(&mut ana, account, &[inbound("p", "m1", "help", 1)], 1);
    ana.read_as("ana").unwrap();
    let mut bo = Store::open(&path).unwrap();
    bo.read_as("bo").unwrap();
    let unread = |store: &Store| {
        store
            .folder_page(&Folder::Open, PageCursor::START, 1)
            .unwrap()[0]
            .unread
    };
    let id = ana
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    ana.mark_read(id, "ana", ms(2)).unwrap();
    assert!(!unread(&ana), "read by Ana");
    assert!(unread(&bo), "still new to Bo");
    // The customer writes again: new to Ana too.
    ingest(&mut ana, account, &[inbound("p", "m2", "hello?", 3)], 3);
    assert!(unread(&ana));
    // Bo answers: nothing is new to anyone.
    bo.queue_reply(id, "On it", "bo", false, ms(4)).unwrap();
    assert!(!unread(&ana) && !unread(&bo));
}

#[test]
fn waits_are_tracked_and_the_overdue_folder_follows_the_targets() {
    use chrono::Utc;
    let (mut store, account) = store_with_account(None);
    let now = Utc::now();
    let ago = |root: &str, id: &str, minutes: i64| {
        let mut item = inbound(root, id, "hello?", 0);
        item.message.created_at = now - chrono::Duration::minutes(minutes);
        item
    };
    let now_ms = now.timestamp_millis();
    ingest(
        &mut store,
        account,
        &[
            ago("slow", "s1", 120),
            ago("fresh", "f1", 10),
            ago("vip", "v1", 10),
        ],
        0,
    );
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    let id_of = |root_msg: &str| {
        rows.iter()
            .find(|r| {
                r.snippet == "hello?"
                    && store.conversation(r.id).unwrap().messages[0]
                        .remote_id
                        .as_deref()
                        == Some(root_msg)
            })
            .unwrap()
            .id
    };
    let (slow, fresh, vip) = (id_of("s1"), id_of("f1"), id_of("v1"));
    store.tag(&[vip], "Urgent", "ana", now_ms).unwrap();
    let since = |store: &Store, id| store.conversation(id).unwrap().row.waiting_since;
    assert_eq!(since(&store, slow), Some(now_ms - 120 * 60_000));

    let targets = hark::model::SlaTargets {
        default: None,
        networks: [(hark::model::NetworkKind::Demo, 60 * 60_000)].into(),
        tags: [("urgent".to_owned(), 5 * 60_000)].into(),
    };
    store.use_sla(&targets.as_rows()).unwrap();
    let overdue: Vec<i64> = store
        .folder_page(&Folder::Overdue, PageCursor::START, 10)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(
        overdue.contains(&slow) && overdue.contains(&vip),
        "{overdue:?}"
    );
    assert!(!overdue.contains(&fresh));
    assert_eq!(store.folder_counts("ana").unwrap().overdue, 2);

    // Answered: no longer waiting. Closed: neither. The customer again: waiting anew.
    store
        .queue_reply(slow, "Sorry!", "ana", false, now_ms)
        .unwrap();
    assert_eq!(since(&store, slow), None);
    store
        .set_status(vip, hark::model::Status::Closed, "ana", now_ms)
        .unwrap();
    assert_eq!(since(&store, vip), None);
    ingest(&mut store, account, &[ago("slow", "s2", 1)], 0);
    assert_eq!(since(&store, slow), Some(now_ms - 60_000));
    assert_eq!(store.folder_counts("ana").unwrap().overdue, 0);
}

#[test]
fn customers_messages_carry_their_sentiment_and_the_list_the_latest() {
    let (mut store, account) = store_with_account(None);
    ingest(
        &mut store,
        account,
        &[inbound("p", "m1", "Thanks, you are great!", 1)],
        1,
    );
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    let row = |store: &Store| store.conversation(id).unwrap().row.sentiment;
    assert_eq!(row(&store), Some(hark::model::Sentiment::Positive));
    ingest(
        &mut store,
        account,
        &[inbound(
            "p",
            "m2",
            "My order is late again. Terrible service!",
            2,
        )],
        2,
    );
    assert_eq!(row(&store), Some(hark::model::Sentiment::Negative));
    // An older message fetched late does not overwrite the latest.
    ingest(&mut store, account, &[inbound("p", "m0", "Love it!", 0)], 3);
    assert_eq!(row(&store), Some(hark::model::Sentiment::Negative));
}

#[test]
fn a_write_that_leaves_checkpoints_to_another_connection_restores_them_after() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hark.db");
    let (mut store, account) = store_with_account(Some(&path));
    let pages = |store: &Store| -> i64 {
        store
            .conn()
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap()
    };
    store
        .with_checkpoints_left_to_others(|store| {
            assert_eq!(pages(store), 0);
            ingest(store, account, &[inbound("p", "m1", "hello", 1)], 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(pages(&store), 1000, "later work checkpoints as usual");

    // Another connection copies the log while this one keeps its data.
    let other = Store::open(&path).unwrap();
    other.checkpoint().unwrap();
    assert_eq!(store.message_count().unwrap(), 1);
}

#[test]
fn reports_read_customers_messages_once_even_where_older_versions_logged_them_as_events() {
    let (mut store, account) = store_with_account(None);
    ingest(&mut store, account, &[inbound("p", "m1", "hi", 1)], 1);
    ingest(&mut store, account, &[inbound("p", "m2", "hello?", 2)], 2);
    let id = store
        .folder_page(&Folder::Open, PageCursor::START, 1)
        .unwrap()[0]
        .id;
    // What a database written by an older version holds for the first message.
    store
        .conn()
        .execute(
            "INSERT INTO events (at, actor, kind, account_id, conversation_id, message_id, data)
             SELECT created_at, 'sync', 'message_received', account_id, conversation_id, id, '{}'
             FROM messages WHERE remote_id = 'm1'",
            [],
        )
        .unwrap();
    let timelines = store
        .report_timelines(0, ms(60), &hark::store::ReportFilter::default())
        .unwrap();
    assert_eq!(timelines.len(), 1);
    assert_eq!(timelines[0].conversation_id, id);
    let inbound: Vec<i64> = timelines[0]
        .entries
        .iter()
        .filter(|e| e.happening == hark::reports::Happening::Inbound)
        .map(|e| e.at)
        .collect();
    assert_eq!(inbound, vec![ms(1), ms(2)]);
}
