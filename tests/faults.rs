#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! A misbehaving Mastodon server: 429 storms, 5xx bursts, answers cut off mid-body and
//! malformed JSON, between good answers. The sync keeps going from its stored cursor, and in
//! the end every remote item is stored exactly once.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use hark::clock::{ManualClock, SharedClock};
use hark::config::Secret;
use hark::model::NetworkKind;
use hark::networks::mastodon::{MastodonNetwork, api::Client};
use hark::store::{NewAccount, Store};
use hark::sync::{StoreCell, SyncAccount, SyncEngine};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How many notifications the server has; the requests it has answered.
struct Server {
    available: AtomicUsize,
    requests: AtomicUsize,
    faults: Mutex<Vec<&'static str>>,
}

fn notification(n: usize) -> serde_json::Value {
    let account = json!({ "id": format!("{}", 100 + n % 7), "username": format!("c{}", n % 7), "acct": format!("c{}@x.example", n % 7) });
    json!({ "id": n.to_string(), "type": "mention", "created_at": "2026-06-01T09:00:00.000Z", "account": account,
            "status": { "id": (10_000 + n).to_string(), "created_at": "2026-06-01T09:00:00.000Z", "visibility": "public",
                        "content": format!("<p>@brand message {n}</p>"), "account": account, "mentions": [] } })
}

fn query_value(query: &str, name: &str) -> Option<usize> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
}

impl Server {
    /// The body of a good answer, with its Link header.
    fn answer(&self, path: &str, query: &str, base: &str) -> (String, String) {
        if path == "/api/v1/accounts/verify_credentials" {
            return (
                json!({ "id": "1", "username": "brand", "acct": "brand" }).to_string(),
                String::new(),
            );
        }
        if path.ends_with("/context") {
            return (
                json!({ "ancestors": [], "descendants": [] }).to_string(),
                String::new(),
            );
        }
        if path == "/api/v1/conversations" {
            return ("[]".into(), String::new());
        }
        let available = self.available.load(Ordering::SeqCst);
        // Mastodon: min_id gives the page just after it; max_id the page just before; neither,
        // the newest. Newest first within a page.
        let ids: Vec<usize> = match (query_value(query, "min_id"), query_value(query, "max_id")) {
            (Some(min), _) => ((min + 1)..=available.min(min + 40)).rev().collect(),
            (None, Some(max)) => (1..max).rev().take(40).collect(),
            (None, None) => (1..=available).rev().take(40).collect(),
        };
        let link = match (ids.first(), ids.last()) {
            (Some(newest), Some(oldest)) => format!(
                "link: <{base}/api/v1/notifications?max_id={oldest}>; rel=\"next\", <{base}/api/v1/notifications?min_id={newest}>; rel=\"prev\"\r\n"
            ),
            _ => String::new(),
        };
        let body: Vec<serde_json::Value> = ids.into_iter().map(notification).collect();
        (serde_json::to_string(&body).unwrap(), link)
    }

    fn respond(&self, path: &str, query: &str, base: &str) -> Vec<u8> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        // Storms and bursts, and now and then a broken answer among good ones.
        let fault = match n {
            _ if path == "/api/v1/accounts/verify_credentials" => "none",
            5..15 | 120..135 | 300..310 => "429",
            40..44 | 200..204 | 350..355 => "503",
            _ if n.is_multiple_of(17) => "cut",
            _ if n.is_multiple_of(19) => "junk",
            _ => "none",
        };
        self.faults.lock().unwrap().push(fault);
        match fault {
            "429" => b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 0\r\ncontent-length: 31\r\nconnection: close\r\n\r\n{\"error\":\"Too many requests\"}\r\n".to_vec(),
            "503" => b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\ncontent-length: 9\r\nconnection: close\r\n\r\n<h1>x</h1>".to_vec(),
            _ => {
                let (body, link) = self.answer(path, query, base);
                let body = if fault == "junk" { body.replacen('{', "{\"id\": ,", 1) } else { body };
                let mut response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{link}connection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                let body = body.into_bytes();
                if fault == "cut" {
                    // Promise the whole body, send half, hang up.
                    response.extend_from_slice(&body[..body.len() / 2]);
                } else {
                    response.extend_from_slice(&body);
                }
                response
            }
        }
    }
}

async fn serve(server: Arc<Server>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let base_for_task = base.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let server = Arc::clone(&server);
            let base = base_for_task.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request).into_owned();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                let response = server.respond(path, query, &base);
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_item_is_stored_once_through_storms_of_faults() {
    let server = Arc::new(Server {
        available: AtomicUsize::new(150),
        requests: AtomicUsize::new(0),
        faults: Mutex::new(Vec::new()),
    });
    let base = serve(Arc::clone(&server)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let account_id = Store::open(&db)
        .unwrap()
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
    let clock = ManualClock::new(t(0));
    let shared: SharedClock = Arc::new(clock.clone());
    let client = Client::new(&base, Some(Secret::new("t".into())), Arc::clone(&shared)).unwrap();
    let account = SyncAccount {
        account_id,
        name: "brand".into(),
        network: Arc::new(MastodonNetwork::new(client)),
        interval: Duration::from_secs(60),
    };
    let (events, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let engine = SyncEngine::new(StoreCell::new(db.clone()), shared, events);

    let settle = |target: usize| {
        let engine = &engine;
        let account = &account;
        let db = db.clone();
        async move {
            for _ in 0..300 {
                let _ = engine.sync_once(account).await;
                if Store::open(&db).unwrap().message_count().unwrap() as usize >= target {
                    // One more clean pass must add nothing.
                    return;
                }
            }
            panic!("the sync never caught up");
        }
    };
    settle(150).await;
    server.available.store(230, Ordering::SeqCst);
    settle(230).await;
    for _ in 0..10 {
        let _ = engine.sync_once(&account).await;
    }

    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.message_count().unwrap(),
        230,
        "every item once, nothing doubled"
    );
    let mut seen = HashSet::new();
    for conversation in store
        .folder_page(
            &hark::model::Folder::Open,
            hark::store::PageCursor::START,
            1000,
        )
        .unwrap()
    {
        for message in store.messages(conversation.id).unwrap() {
            assert!(
                seen.insert(message.remote_id.clone().unwrap()),
                "stored twice: {:?}",
                message.remote_id
            );
        }
    }
    assert_eq!(seen.len(), 230);
    assert_eq!(
        store
            .sync_cursor(account_id, "mentions")
            .unwrap()
            .unwrap()
            .cursor
            .as_deref(),
        Some("230")
    );
    let faults = server.faults.lock().unwrap().clone();
    for kind in ["429", "503", "cut", "junk"] {
        assert!(
            faults.iter().filter(|f| **f == kind).count() >= 3,
            "too few {kind} faults: {faults:?}"
        );
    }
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
