//! Integrations against in-project fakes that follow the documented APIs: a Slack incoming
//! webhook (plain-text `ok` or an error code with its HTTP status, 429 with Retry-After) and
//! the Help Scout Docs API (Basic auth with the key, the articles envelope, its error body and
//! rate-limit headers); and hooks with a script that records what it was given.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use common::{customer, ms, t};
use hark::clock::{ManualClock, SharedClock};
use hark::config::Config;
use hark::integrations::{Integrations, Notifier};
use hark::model::{ConversationKind, Direction, IncomingItem, NetworkKind, RemoteMessage};
use hark::store::{NewAccount, Store};
use hark::sync::{StoreCell, SyncEvent};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use wiremock::matchers::{basic_auth, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const WEBHOOK: &str = "/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX";

fn mastodon_account(store: &mut Store) -> i64 {
    store
        .upsert_account(
            &NewAccount {
                name: "brand-masto".into(),
                network: NetworkKind::Mastodon,
                handle: "@brand@m.example".into(),
                remote_id: Some("1".into()),
                display_name: None,
                credentials_ref: None,
            },
            ms(0),
        )
        .unwrap()
}

/// A mention with the status's page as Mastodon gives it.
fn mention(root: &str, who: &str, text: &str, minute: i64) -> IncomingItem {
    let author = customer(who, &format!("{who} Person"));
    IncomingItem {
        kind: ConversationKind::Mention,
        root_remote_id: root.into(),
        subject: None,
        customer: author.clone(),
        message: RemoteMessage {
            remote_id: root.into(),
            parent_remote_id: None,
            direction: Direction::In,
            author,
            text: text.into(),
            created_at: t(minute),
            liked: false,
            hidden: None,
            raw: json!({ "id": root, "url": format!("https://m.example/@{who}/{root}") }).into(),
        },
    }
}

fn ingest(store: &mut Store, account: i64, items: &[IncomingItem], config: &Config, minute: i64) {
    store
        .ingest_with_rules(
            account,
            NetworkKind::Mastodon,
            "notifications",
            items,
            None,
            ms(minute),
            &config.rule_set,
        )
        .unwrap();
}

/// The conversation a mention started.
fn conversation_of(db: &Path, root: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT id FROM conversations WHERE root_remote_id = ?1",
        [root],
        |r| r.get(0),
    )
    .unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    clock: Arc<ManualClock>,
    notifier: Notifier,
    events: mpsc::UnboundedReceiver<SyncEvent>,
    config: Config,
}

/// A notifier for `config` on the database at `db`, sending to Slack without pacing, and
/// where it reports.
fn notifier(
    config: &Config,
    db: &Path,
    clock: SharedClock,
) -> (Notifier, mpsc::UnboundedReceiver<SyncEvent>) {
    let (sender, events) = mpsc::unbounded_channel();
    let mut integrations = Integrations::from_config(config);
    integrations.slack_pace = Duration::ZERO;
    let notifier = Notifier::new(
        StoreCell::new(db.to_owned()),
        clock,
        sender,
        Arc::new(integrations),
    );
    (notifier, events)
}

fn setup(config_text: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let config = Config::parse(config_text, Path::new("config.toml")).unwrap();
    let clock = Arc::new(ManualClock::new(t(0)));
    let shared: SharedClock = clock.clone();
    let (notifier, events) = notifier(&config, &db, shared);
    Setup {
        _dir: dir,
        db,
        clock,
        notifier,
        events,
        config,
    }
}

async fn slack_fake() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(WEBHOOK))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    server
}

fn slack_config(server: &MockServer, extra: &str) -> String {
    format!(
        "[[slack]]\nname = \"support\"\nwebhook_cmd = \"printf %s '{}{WEBHOOK}'\"\n{extra}\n",
        server.uri()
    )
}

async fn posted(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r: &Request| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn new_assigned_and_overdue_conversations_reach_slack_once_each() {
    let server = slack_fake().await;
    let config = slack_config(&server, "") + "[sla]\ndefault = \"30m\"\n";
    let mut s = setup(&config);
    let mut store = Store::open(&s.db).unwrap();
    let account = mastodon_account(&mut store);
    // The first look starts the channel at the end of the log: history is not announced.
    s.notifier.run_once().await.unwrap();
    assert!(posted(&server).await.is_empty());

    s.clock.advance(chrono::Duration::minutes(1));
    ingest(
        &mut store,
        account,
        &[mention("110", "kim", "Where is my order <!channel>?", 0)],
        &s.config,
        1,
    );
    let conversation = conversation_of(&s.db, "110");
    store
        .assign(&[conversation], Some("bo"), "ana", ms(1))
        .unwrap();
    s.notifier.run_once().await.unwrap();

    let messages = posted(&server).await;
    // New, assigned, and overdue (it has waited since June against a 30 minute target).
    assert_eq!(messages.len(), 3, "{messages:#?}");
    let new = messages[0]["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        new.contains("*New Mastodon mention from kim Person (kim)*"),
        "{new}"
    );
    assert!(
        new.contains(">Where is my order &lt;!channel&gt;?"),
        "{new}"
    );
    assert!(
        new.contains("<https://m.example/@kim/110|Open the original post>"),
        "{new}"
    );
    let assigned = messages[1]["text"].as_str().unwrap();
    assert!(assigned.contains("assigned to bo by ana"), "{assigned}");
    let overdue = messages[2]["text"].as_str().unwrap();
    assert!(
        overdue.contains("has waited past the 30m target"),
        "{overdue}"
    );

    // Nothing new: nothing sent again, by this process or by another one.
    s.notifier.run_once().await.unwrap();
    let (other, _events) = notifier(&s.config, &s.db, s.clock.clone());
    other.run_once().await.unwrap();
    assert_eq!(posted(&server).await.len(), 3);
    assert!(matches!(
        s.events.try_recv(),
        Ok(SyncEvent::Notified { .. })
    ));
}

#[tokio::test]
async fn only_tagged_or_rule_matched_conversations_are_announced_when_asked() {
    let server = slack_fake().await;
    let config = slack_config(
        &server,
        "events = [\"new_conversation\"]\ntags = [\"vip\"]\nrules = [\"Refunds\"]",
    ) + "[[rules]]\nname = \"Refunds\"\nwhen = \"contains refund\"\nthen = [\"tag Money\"]\n";
    let s = setup(&config);
    let mut store = Store::open(&s.db).unwrap();
    let account = mastodon_account(&mut store);
    s.notifier.run_once().await.unwrap();
    ingest(
        &mut store,
        account,
        &[
            mention("201", "ann", "I want a refund", 0),
            mention("202", "bob", "nice shoes", 0),
            mention("203", "cat", "hello", 0),
        ],
        &s.config,
        0,
    );
    let vip = conversation_of(&s.db, "203");
    store.tag(&[vip], "vip", "ana", ms(0)).unwrap();
    s.notifier.run_once().await.unwrap();
    let texts: Vec<String> = posted(&server)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("ann Person")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("cat Person")), "{texts:?}");
}

#[tokio::test]
async fn old_conversations_from_a_first_sync_are_not_announced() {
    let server = slack_fake().await;
    let s = setup(&slack_config(
        &server,
        "events = [\"new_conversation\"]\nmax_age_minutes = 60",
    ));
    let mut store = Store::open(&s.db).unwrap();
    let account = mastodon_account(&mut store);
    s.notifier.run_once().await.unwrap();
    s.clock.advance(chrono::Duration::hours(3));
    ingest(
        &mut store,
        account,
        &[
            mention("301", "old", "from before", 0),
            mention("302", "new", "just now", 170),
        ],
        &s.config,
        180,
    );
    s.notifier.run_once().await.unwrap();
    let texts: Vec<String> = posted(&server)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("new Person"), "{texts:?}");
}

#[tokio::test]
async fn slack_errors_are_kept_shown_and_retried_only_when_slack_is_at_fault() {
    let server = MockServer::start().await;
    // First a documented server error, then a rate limit, then success.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("rollup_error"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "30")
                .set_body_string(""),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let mut s = setup(&slack_config(&server, "events = [\"new_conversation\"]"));
    let mut store = Store::open(&s.db).unwrap();
    let account = mastodon_account(&mut store);
    s.notifier.run_once().await.unwrap();
    ingest(
        &mut store,
        account,
        &[mention("401", "dee", "hi", 0)],
        &s.config,
        0,
    );

    s.notifier.run_once().await.unwrap();
    match s.events.try_recv().unwrap() {
        SyncEvent::NotificationFailed {
            channel,
            message,
            retry_in,
        } => {
            assert_eq!(channel, "Slack support");
            assert!(message.starts_with("rollup_error (HTTP 500)"), "{message}");
            assert_eq!(retry_in, Some(Duration::from_secs(2)));
        }
        other => panic!("{other:?}"),
    }
    let health = store.channel_health("slack:support").unwrap();
    assert_eq!((health.queued, health.sent), (1, 0));
    // What an inbox on standby (another process notifies) shows of it.
    let troubles = store.recorded_troubles().unwrap();
    assert_eq!(troubles.len(), 1, "{troubles:?}");
    assert_eq!(troubles[0].subject, "slack:support");
    assert!(
        troubles[0]
            .text
            .starts_with("not delivered: rollup_error (HTTP 500)")
            && troubles[0].text.ends_with("; retrying"),
        "{troubles:?}"
    );
    // Not due yet: nothing is tried.
    s.notifier.run_once().await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    s.clock.advance(chrono::Duration::seconds(3));
    s.notifier.run_once().await.unwrap();
    match s.events.try_recv().unwrap() {
        SyncEvent::NotificationFailed { retry_in, .. } => {
            assert_eq!(retry_in, Some(Duration::from_secs(30)))
        }
        other => panic!("{other:?}"),
    }
    s.clock.advance(chrono::Duration::seconds(31));
    s.notifier.run_once().await.unwrap();
    assert!(matches!(
        s.events.try_recv(),
        Ok(SyncEvent::Notified { .. })
    ));
    let health = store.channel_health("slack:support").unwrap();
    assert_eq!(
        (health.queued, health.sent, health.last_error),
        (0, 1, None)
    );
    assert_eq!(store.recorded_troubles().unwrap(), Vec::new());
}

#[tokio::test]
async fn a_webhook_that_no_longer_posts_fails_with_slacks_code_in_doctor() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_string("channel_not_found"))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("hark.db");
    let config_text = format!(
        "database = \"{}\"\n{}",
        db.display(),
        slack_config(&server, "events = [\"new_conversation\"]")
    );
    let config_path = home.path().join("config.toml");
    std::fs::write(&config_path, &config_text).unwrap();
    let mut s = setup(&config_text);
    s.db = db.clone();
    let (notifier, mut events) = notifier(&s.config, &db, s.clock.clone());
    let mut store = Store::open(&db).unwrap();
    let account = mastodon_account(&mut store);
    notifier.run_once().await.unwrap();
    ingest(
        &mut store,
        account,
        &[mention("501", "eve", "hi", 0)],
        &s.config,
        0,
    );
    notifier.run_once().await.unwrap();
    match events.try_recv().unwrap() {
        SyncEvent::NotificationFailed {
            message, retry_in, ..
        } => {
            assert_eq!(retry_in, None);
            assert!(
                message.contains(
                    "channel_not_found (HTTP 404): the webhook's channel no longer exists"
                ),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let health = store.channel_health("slack:support").unwrap();
    assert_eq!(health.failed, 1);
    let troubles = store.recorded_troubles().unwrap();
    assert_eq!(troubles.len(), 1, "{troubles:?}");
    assert!(
        troubles[0]
            .text
            .starts_with("failed: channel_not_found (HTTP 404)"),
        "{troubles:?}"
    );

    let output = common::hark_in(home.path())
        .args(["--config", config_path.to_str().unwrap(), "doctor"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("✗ Slack support: channel_not_found (HTTP 404)"),
        "{text}"
    );
    assert!(text.contains("0 sent, 1 failed"), "{text}");
    assert_eq!(output.status.code(), Some(1), "{text}");
}

#[tokio::test]
async fn a_hook_gets_each_event_as_json_and_its_failures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("received.jsonl");
    let script = dir.path().join("record.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nread -r line\nprintf '%s\\t%s\\n' \"$HARK_EVENT\" \"$line\" >> '{}'\n",
            log.display()
        ),
    )
    .unwrap();
    let config = format!(
        "[[hooks]]\nname = \"recorder\"\ncommand = \"sh {}\"\nevents = [\"new_conversation\", \"reply_sent\", \"assigned\", \"closed\"]\n\n\
         [[hooks]]\nname = \"broken\"\ncommand = \"echo 'CRM is down' >&2; exit 2\"\nevents = [\"closed\"]\n\n\
         [[hooks]]\nname = \"slow\"\ncommand = \"sleep 10\"\nevents = [\"closed\"]\ntimeout_secs = 1\n",
        script.display()
    );
    let mut s = setup(&config);
    let mut store = Store::open(&s.db).unwrap();
    let account = mastodon_account(&mut store);
    s.notifier.run_once().await.unwrap();

    ingest(
        &mut store,
        account,
        &[mention("601", "fay", "Is the shop open?", 0)],
        &s.config,
        0,
    );
    let id = conversation_of(&s.db, "601");
    store.assign(&[id], Some("ana"), "ana", ms(1)).unwrap();
    let queued = store
        .queue_reply(id, "Yes, until 6pm!", "ana", true, ms(2))
        .unwrap();
    store
        .complete_action(queued.outbox_id, Some("602"), ms(3))
        .unwrap();
    let started = std::time::Instant::now();
    s.notifier.run_once().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the slow hook was not stopped"
    );

    let received = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<(&str, Value)> = received
        .lines()
        .map(|l| {
            let (event, json) = l.split_once('\t').unwrap();
            (event, serde_json::from_str(json).unwrap())
        })
        .collect();
    let names: Vec<&str> = lines.iter().map(|(e, _)| *e).collect();
    assert_eq!(
        names,
        ["new_conversation", "assigned", "closed", "reply_sent"]
    );
    let (_, new) = &lines[0];
    assert_eq!(new["conversation"]["id"], json!(id));
    assert_eq!(new["conversation"]["network"], "mastodon");
    assert_eq!(new["contact"]["name"], "fay Person");
    assert_eq!(new["message"]["text"], "Is the shop open?");
    assert_eq!(new["message"]["url"], "https://m.example/@fay/601");
    assert_eq!(lines[1].1["assignee"], "ana");
    assert_eq!(lines[3].1["message"]["text"], "Yes, until 6pm!");
    assert_eq!(lines[3].1["actor"], "ana");

    let mut failures = Vec::new();
    while let Ok(event) = s.events.try_recv() {
        if let SyncEvent::NotificationFailed {
            channel,
            message,
            retry_in,
        } = event
        {
            assert_eq!(retry_in, None, "hooks are not run twice");
            failures.push(format!("{channel}: {message}"));
        }
    }
    failures.sort();
    assert_eq!(
        failures,
        [
            "hook broken: it exited with exit status: 2: CRM is down",
            "hook slow: it did not finish within 1 s and was stopped"
        ]
    );
}

fn docs_answer() -> Value {
    json!({"articles": {"page": 1, "pages": 1, "count": 1, "items": [{
        "id": "5a1b", "collectionId": "c1", "categoryIds": ["k1"], "slug": "returns",
        "name": "Returns and refunds", "number": 12, "status": "published", "visibility": "public",
        "preview": "Send the parcel back within 30 days. Refunds reach your card in five working days.",
        "url": "https://help.example.com/article/12-returns", "docsUrl": "https://secure.helpscout.net/docs/x/article/5a1b"
    }]}})
}

fn docs_searcher(
    server: &MockServer,
    db: &Path,
    clock: SharedClock,
    cache_minutes: u64,
) -> Arc<hark::runtime::docs::DocsSearcher> {
    let config = Config::parse(
        &format!(
            "[helpscout]\napi_key_cmd = \"printf docs-key-123\"\napi_base = \"{}\"\nsite_id = \"s1\"\ncache_minutes = {cache_minutes}\n",
            server.uri()
        ),
        Path::new("config.toml"),
    )
    .unwrap();
    Arc::new(
        hark::runtime::docs::DocsSearcher::new(
            config.helpscout.unwrap().get_ref(),
            db.to_owned(),
            clock,
        )
        .unwrap(),
    )
}

#[tokio::test]
async fn docs_are_searched_with_the_key_cached_and_fall_back_when_help_scout_fails() {
    use hark::app::docs_picker::DocsResults;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/search/articles"))
        .and(basic_auth("docs-key-123", "X"))
        .and(query_param("query", "refund"))
        .and(query_param("siteId", "s1"))
        .and(query_param("status", "published"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(docs_answer())
                .insert_header("Correlation-Id", "c-1"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Limit", "2000")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", "120"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    Store::open(&db).unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap(),
    ));
    let searcher = docs_searcher(&server, &db, clock.clone(), 60);

    let first = searcher.find("refund").await;
    let DocsResults::Found {
        articles,
        note: None,
    } = &first
    else {
        panic!("{first:?}")
    };
    assert_eq!(
        articles[0].snippet(),
        "Returns and refunds: Send the parcel back within 30 days. Refunds reach your card in five working days. https://help.example.com/article/12-returns"
    );
    // Fresh in the cache (any case and spacing): Help Scout is not asked again.
    assert_eq!(searcher.find("  Refund ").await, first);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // Past its time, the cache still answers when Help Scout will not, and says so.
    clock.advance(chrono::Duration::hours(2));
    match searcher.find("refund").await {
        DocsResults::Found {
            articles,
            note: Some(note),
        } => {
            assert_eq!(articles.len(), 1);
            assert!(
                note.contains("rate limited") && note.contains("from 2h ago"),
                "{note}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Nothing cached for this one: the error is the answer.
    match searcher.find("shipping").await {
        DocsResults::Failed(message) => assert!(message.contains("rate limited"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_docs_key_is_named() {
    use hark::app::docs_picker::DocsResults;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"status": 401, "message": "Invalid API key"})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    Store::open(&db).unwrap();
    let searcher = docs_searcher(&server, &db, Arc::new(ManualClock::new(t(0))), 60);
    match searcher.find("anything").await {
        DocsResults::Failed(message) => {
            assert!(
                message.contains("Help Scout refused the Docs API key: Invalid API key (HTTP 401)"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// A person in a real terminal types `??` in a reply and gets an article from Help Scout Docs,
/// while new demo conversations reach Slack — with both fakes on loopback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_terminal_question_marks_insert_an_article_and_new_conversations_reach_slack() {
    if !common::tmux::tmux_available() {
        return;
    }
    let docs = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/search/articles"))
        .and(basic_auth("docs-key-123", "X"))
        .respond_with(ResponseTemplate::new(200).set_body_json(docs_answer()))
        .mount(&docs)
        .await;
    let slack = slack_fake().await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config/hark")).unwrap();
    std::fs::write(
        home.path().join("config/hark/config.toml"),
        format!(
            "[helpscout]\napi_key_cmd = \"printf docs-key-123\"\napi_base = \"{}\"\n\n{}\n[demo]\nnew_conversation_every_secs = 1\n",
            docs.uri(),
            slack_config(&slack, "events = [\"new_conversation\"]"),
        ),
    )
    .unwrap();
    let tmux = common::tmux::Tmux::new("docs");
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} --demo --db {home}/demo.db",
        home = home.path().display(),
        bin = assert_cmd::cargo::cargo_bin("hark").display(),
    );
    tmux.start("docs", (100, 30), &command);
    tmux.wait_for("docs", "Open 2");
    // A key pressed while hark still asks the terminal about its keyboard may be taken by
    // that question: press Enter until the composer is there.
    for _ in 0..20 {
        tmux.keys("docs", &["Enter"]);
        std::thread::sleep(Duration::from_millis(300));
        if tmux.screen("docs").contains("Enter new line") {
            break;
        }
    }
    tmux.wait_for("docs", "?? Help Scout Docs");
    tmux.type_text("docs", "See ??refund");
    let screen = tmux.wait_for("docs", "Returns and refunds");
    assert!(screen.contains("Help Scout Docs ??refund"), "{screen}");
    tmux.keys("docs", &["Enter"]);
    let screen = tmux.wait_for("docs", "Inserted “Returns and refunds”");
    assert!(
        screen.contains("See Returns and refunds: Send the parcel back"),
        "{screen}"
    );

    let started = std::time::Instant::now();
    while posted(&slack).await.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing reached Slack"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let first = &posted(&slack).await[0];
    assert!(
        first["text"].as_str().unwrap().starts_with("New Demo "),
        "{first}"
    );
    tmux.keys("docs", &["Escape", "q"]);
}
