#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Replies survive hark being killed (SIGKILL) at any moment of a send: none is lost, none is
//! posted twice. A fake Mastodon server (honouring Idempotency-Key as the API docs describe)
//! records what was posted; `hark reply` processes are killed after random delays; then a sync
//! delivers whatever was left and the two sides are compared.
//! HARK_CRASH_ITERATIONS sets how many kills (default 200).

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use hark::model::{Delivery, Direction, Folder, NetworkKind};
use hark::store::{NewAccount, PageCursor, Store};
use rand::{RngExt, SeedableRng};
use serde_json::json;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Posts statuses, once per idempotency key, slowly enough for kills to land mid-request.
#[derive(Clone, Default)]
struct Statuses {
    by_key: Arc<Mutex<HashMap<String, (String, String)>>>,
}

impl Respond for Statuses {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = String::from_utf8_lossy(&request.body).into_owned();
        let mut by_key = self.by_key.lock().unwrap();
        let next = by_key.len() + 1000;
        let (id, _) = by_key
            .entry(key)
            .or_insert_with(|| (next.to_string(), body))
            .clone();
        ResponseTemplate::new(200)
            .set_delay(Duration::from_millis(15))
            .set_body_json(json!({ "id": id, "created_at": "2026-06-01T09:00:00.000Z", "visibility": "public",
                                   "content": "<p>ok</p>", "account": { "id": "1", "username": "brand", "acct": "brand" } }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_hark_during_sends_loses_and_doubles_nothing() {
    let iterations: usize = std::env::var("HARK_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let server = MockServer::start().await;
    let statuses = Statuses::default();
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "id": "1", "username": "brand", "acct": "brand" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/statuses/[0-9a-z-]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "5", "created_at": "2026-06-01T09:00:00.000Z",
            "visibility": "public", "content": "<p>hi</p>", "account": { "id": "7", "username": "layla", "acct": "layla" }, "mentions": [] })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(statuses.clone())
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[[accounts]]\nname = \"brand\"\nnetwork = \"mastodon\"\ninstance = \"{}\"\ntoken_env = \"CRASH_TOKEN\"\n", server.uri()),
    )
    .unwrap();
    let conversations: Vec<i64> = {
        let mut store = Store::open(&db).unwrap();
        let account = store
            .upsert_account(
                &NewAccount {
                    name: "brand".into(),
                    network: NetworkKind::Mastodon,
                    handle: "@brand".into(),
                    remote_id: None,
                    display_name: None,
                    credentials_ref: None,
                },
                0,
            )
            .unwrap();
        let items: Vec<_> = (0..20)
            .map(|i| inbound(&format!("root-{i}"), &format!("{}", 500 + i), "help", i))
            .collect();
        store
            .ingest(
                account,
                NetworkKind::Mastodon,
                "mentions",
                &items,
                None,
                ms(30),
            )
            .unwrap();
        store
            .folder_page(&Folder::Open, PageCursor::START, 100)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    let hark = assert_cmd::cargo::cargo_bin("hark");
    let run = |args: &[String]| {
        let mut command = Command::new(&hark);
        command
            .env("HOME", dir.path())
            .env("CRASH_TOKEN", "t")
            .arg("--config")
            .arg(&config)
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut killed = 0;
    for i in 0..iterations {
        let conversation = conversations[i % conversations.len()];
        let mut child = run(&[
            "reply".into(),
            conversation.to_string(),
            "--text".into(),
            format!("reply {i}"),
        ])
        .spawn()
        .unwrap();
        let delay = rng.random_range(0..60u64);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("locked"),
            "a lock error reached the user: {stderr}"
        );
    }
    // What was left half-done is finished by the next sync (its claims' processes are gone).
    for _ in 0..2 {
        let output = run(&["sync".into(), "--once".into()]).output().unwrap();
        assert!(!String::from_utf8_lossy(&output.stderr).contains("locked"));
    }

    let store = Store::open(&db).unwrap();
    let mut ours = Vec::new();
    for id in &conversations {
        ours.extend(
            store
                .messages(*id)
                .unwrap()
                .into_iter()
                .filter(|m| m.direction == Direction::Out),
        );
    }
    let posted = statuses.by_key.lock().unwrap().clone();
    assert!(
        killed > iterations / 10,
        "only {killed} of {iterations} processes were killed mid-way"
    );
    assert!(!ours.is_empty());
    for message in &ours {
        assert_eq!(
            message.delivery,
            Some(Delivery::Sent),
            "reply {:?} was not delivered: {:?}",
            message.text,
            message.delivery_error
        );
    }
    // Every stored reply was posted exactly once, and nothing else was posted.
    assert_eq!(
        posted.len(),
        ours.len(),
        "posted {} statuses for {} replies",
        posted.len(),
        ours.len()
    );
    let mut remote_ids: Vec<&str> = ours.iter().filter_map(|m| m.remote_id.as_deref()).collect();
    remote_ids.sort_unstable();
    remote_ids.dedup();
    assert_eq!(
        remote_ids.len(),
        ours.len(),
        "each reply has its own status"
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
    eprintln!(
        "{iterations} sends, {killed} killed mid-way, {} replies stored and posted once",
        ours.len()
    );
}
