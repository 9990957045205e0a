#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The Bluesky connector against the reference servers (PDS + AppView from the npm registry,
//! started on loopback by ../shared/bsky-peer/start.sh). Needs the peer's environment
//! (PDS_URL, ACCOUNT_A_*, ACCOUNT_B_*), so it is ignored by a plain `cargo test`; CI starts the
//! peer and runs it with `--include-ignored`.
//!
//! Alice is the brand (hark's account), Bob the customer.

mod common;

use std::sync::Arc;
use std::time::Duration;

use hark::clock::{SharedClock, SystemClock};
use hark::config::Secret;
use hark::model::{ConversationKind, Delivery, Folder, NetworkKind};
use hark::networks::NetworkError;
use hark::networks::bluesky::BlueskyNetwork;
use hark::networks::bluesky::xrpc::Xrpc;
use hark::store::{NewAccount, PageCursor, Store};
use hark::sync::{StoreCell, SyncAccount, SyncEngine};
use serde_json::{Value, json};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start ../shared/bsky-peer/start.sh and source its peer.env")
    })
}

/// Bob's side, through plain XRPC.
struct Customer {
    http: reqwest::Client,
    pds: String,
    did: String,
    access: String,
}

impl Customer {
    async fn login(pds: &str, handle: &str, password: &str) -> Customer {
        let http = reqwest::Client::new();
        let session: Value = http
            .post(format!("{pds}/xrpc/com.atproto.server.createSession"))
            .json(&json!({ "identifier": handle, "password": password }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Customer {
            http,
            pds: pds.into(),
            did: session["did"].as_str().unwrap().into(),
            access: session["accessJwt"].as_str().unwrap().into(),
        }
    }

    async fn get(&self, nsid: &str, params: &[(&str, &str)]) -> Value {
        self.http
            .get(format!("{}/xrpc/{nsid}", self.pds))
            .query(params)
            .bearer_auth(&self.access)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, text: &str, reply: Option<&Value>, facets: Value) -> Value {
        let mut record = json!({ "$type": "app.bsky.feed.post", "text": text, "createdAt": chrono::Utc::now().to_rfc3339(), "facets": facets });
        if let Some(reply) = reply {
            record["reply"] = reply.clone();
        }
        let created: Value = self
            .http
            .post(format!("{}/xrpc/com.atproto.repo.createRecord", self.pds))
            .bearer_auth(&self.access)
            .json(
                &json!({ "repo": self.did, "collection": "app.bsky.feed.post", "record": record }),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(created["uri"].is_string(), "{created}");
        created
    }

    /// Waits until the AppView has indexed a post (replies to unindexed posts get lost).
    async fn wait_visible(&self, uri: &str) {
        for _ in 0..100 {
            let posts = self.get("app.bsky.feed.getPosts", &[("uris", uri)]).await;
            if posts["posts"].as_array().is_some_and(|p| !p.is_empty()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("{uri} never became visible");
    }
}

#[tokio::test]
#[ignore = "needs the reference Bluesky servers (../shared/bsky-peer)"]
async fn a_customer_mentions_and_replies_and_hark_answers_and_likes() {
    let pds = env("PDS_URL");
    let (brand_handle, brand_password) = (env("ACCOUNT_A_HANDLE"), env("ACCOUNT_A_PASSWORD"));
    let bob = Customer::login(&pds, &env("ACCOUNT_B_HANDLE"), &env("ACCOUNT_B_PASSWORD")).await;
    let alice = Customer::login(&pds, &brand_handle, &brand_password).await;

    // The brand posts; the customer replies to it (no mention), and mentions the brand elsewhere.
    let brand_post = alice
        .post("Our autumn blend is here", None, json!([]))
        .await;
    bob.wait_visible(brand_post["uri"].as_str().unwrap()).await;
    let strong = json!({ "uri": brand_post["uri"], "cid": brand_post["cid"] });
    let comment = bob
        .post(
            "Love this blend! ☕",
            Some(&json!({ "root": strong, "parent": strong })),
            json!([]),
        )
        .await;
    let mention_text = format!("@{brand_handle} my payment page won't load");
    let mention = bob
        .post(
            &mention_text,
            None,
            json!([{ "index": { "byteStart": 0, "byteEnd": brand_handle.len() + 1 },
            "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": alice.did }] }]),
        )
        .await;

    // hark, signed in as the brand, syncs them in.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let session_file = dir.path().join("secrets/brand.session.json");
    let xrpc = Xrpc::new(
        &pds,
        &brand_handle,
        Secret::new(brand_password.clone()),
        Some(session_file.clone()),
    )
    .unwrap();
    let network = Arc::new(BlueskyNetwork::new(xrpc));
    let mut store = Store::open(&db).unwrap();
    let account_id = store
        .upsert_account(
            &NewAccount {
                name: "brand".into(),
                network: NetworkKind::Bluesky,
                handle: brand_handle.clone(),
                remote_id: None,
                display_name: None,
                credentials_ref: None,
            },
            0,
        )
        .unwrap();
    let clock: SharedClock = Arc::new(SystemClock);
    let (events, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let engine = SyncEngine::new(StoreCell::new(db.clone()), clock, events);
    let account = SyncAccount {
        account_id,
        name: "brand".into(),
        network: network.clone(),
        interval: Duration::from_secs(60),
    };
    // The network may hold earlier runs' posts too: look for this run's threads.
    let find = |store: &Store, root: &str| {
        store
            .folder_page(&Folder::Open, PageCursor::START, 100)
            .unwrap()
            .into_iter()
            .find(|row| store.conversation(row.id).unwrap().root_remote_id == root)
    };
    let (brand_uri, mention_uri) = (
        brand_post["uri"].as_str().unwrap(),
        mention["uri"].as_str().unwrap(),
    );
    let mut found = (None, None);
    for _ in 0..60 {
        engine.sync_once(&account).await.unwrap();
        found = (find(&store, mention_uri), find(&store, brand_uri));
        if found.0.is_some() && found.1.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (Some(mention_row), Some(comment_row)) = found else {
        panic!("the mention and the comment never arrived as conversations");
    };
    assert_eq!(mention_row.kind, ConversationKind::Mention);
    assert_eq!(comment_row.kind, ConversationKind::Comment);
    let (mention_conversation, comment_conversation) = (mention_row.id, comment_row.id);
    let comment_thread = store.conversation(comment_conversation).unwrap();
    assert_eq!(
        comment_thread.root_remote_id,
        brand_post["uri"].as_str().unwrap(),
        "the thread hangs off the brand's post"
    );
    assert_eq!(
        comment_thread.messages.len(),
        2,
        "the brand's post and the customer's comment"
    );
    assert_eq!(comment_thread.messages[1].text, "Love this blend! ☕");
    // Syncing again adds nothing.
    let again = engine.sync_once(&account).await.unwrap();
    assert_eq!(again.new_messages, 0);

    // hark replies to the mention and likes the comment.
    let now = chrono::Utc::now().timestamp_millis();
    store
        .queue_reply(
            mention_conversation,
            "Sorry! Fixed now, try again https://example.com/pay",
            "ana",
            true,
            now,
        )
        .unwrap();
    store
        .queue_like(comment_conversation, None, true, "ana", now)
        .unwrap();
    let delivered = engine.deliver_due(&account).await.unwrap();
    assert_eq!(delivered.delivered, 2, "{delivered:?}");
    let ours = store
        .conversation(mention_conversation)
        .unwrap()
        .messages
        .last()
        .unwrap()
        .clone();
    assert_eq!(ours.delivery, Some(Delivery::Sent));
    let reply_uri = ours.remote_id.clone().unwrap();

    // The customer sees the reply in the right thread, and the like.
    let mut found = false;
    for _ in 0..60 {
        let thread = bob
            .get(
                "app.bsky.feed.getPostThread",
                &[("uri", mention["uri"].as_str().unwrap())],
            )
            .await;
        let replies = thread["thread"]["replies"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(reply) = replies
            .iter()
            .find(|r| r["post"]["uri"] == reply_uri.as_str())
        {
            let record = &reply["post"]["record"];
            assert_eq!(record["reply"]["parent"]["uri"], mention["uri"]);
            assert_eq!(record["reply"]["root"]["uri"], mention["uri"]);
            let link = record["facets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["features"][0]["uri"].is_string())
                .unwrap();
            let text = record["text"].as_str().unwrap();
            let (start, end) = (
                link["index"]["byteStart"].as_u64().unwrap() as usize,
                link["index"]["byteEnd"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                &text[start..end],
                "https://example.com/pay",
                "link facet by UTF-8 bytes"
            );
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(found, "the reply never showed in the customer's thread");
    let mut liked = false;
    for _ in 0..60 {
        let likes = bob
            .get(
                "app.bsky.feed.getLikes",
                &[("uri", comment["uri"].as_str().unwrap())],
            )
            .await;
        if likes["likes"].as_array().is_some_and(|l| {
            l.iter()
                .any(|like| like["actor"]["did"] == alice.did.as_str())
        }) {
            liked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(liked, "the customer never saw the like");

    // The brand hides the customer's comment under its post: the threadgate lists it.
    let comment_message = comment_thread.messages[1].id;
    store
        .queue_hide(
            comment_message,
            true,
            "ana",
            chrono::Utc::now().timestamp_millis(),
        )
        .unwrap();
    let delivered = engine.deliver_due(&account).await.unwrap();
    assert_eq!(delivered.delivered, 1, "{delivered:?}");
    let rkey = brand_uri.rsplit('/').next().unwrap();
    let gate = bob
        .get(
            "com.atproto.repo.getRecord",
            &[
                ("repo", alice.did.as_str()),
                ("collection", "app.bsky.feed.threadgate"),
                ("rkey", rkey),
            ],
        )
        .await;
    assert_eq!(gate["value"]["post"], brand_post["uri"]);
    assert!(
        gate["value"]["hiddenReplies"]
            .as_array()
            .is_some_and(|hidden| hidden.contains(&comment["uri"])),
        "{gate}"
    );
    // And shows it again.
    store
        .queue_hide(
            comment_message,
            false,
            "ana",
            chrono::Utc::now().timestamp_millis(),
        )
        .unwrap();
    assert_eq!(engine.deliver_due(&account).await.unwrap().delivered, 1);
    let gate = bob
        .get(
            "com.atproto.repo.getRecord",
            &[
                ("repo", alice.did.as_str()),
                ("collection", "app.bsky.feed.threadgate"),
                ("rkey", rkey),
            ],
        )
        .await;
    assert!(
        !gate["value"]["hiddenReplies"]
            .as_array()
            .is_some_and(|hidden| hidden.contains(&comment["uri"])),
        "{gate}"
    );

    // The session was kept, privately, and a new process uses it without logging in.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&session_file)
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    let wrong_password = Secret::new("not-the-password".into());
    let reused = Xrpc::new(&pds, &brand_handle, wrong_password, Some(session_file)).unwrap();
    let profile: Value = reused
        .query("app.bsky.actor.getProfile", &[("actor", alice.did.clone())])
        .await
        .unwrap();
    assert_eq!(
        profile["handle"],
        brand_handle.as_str(),
        "the stored session works without the password"
    );
}

#[tokio::test]
#[ignore = "needs the reference Bluesky servers (../shared/bsky-peer)"]
async fn sessions_refresh_and_a_wrong_app_password_is_refused() {
    let pds = env("PDS_URL");
    let handle = env("ACCOUNT_B_HANDLE");
    let xrpc = Xrpc::new(&pds, &handle, Secret::new(env("ACCOUNT_B_PASSWORD")), None).unwrap();
    let first = xrpc.session().await.unwrap();
    let refreshed = xrpc.refresh().await.unwrap();
    assert_ne!(first.refresh, refreshed.refresh, "a new refresh token");
    assert_eq!(first.did, refreshed.did);
    let me: Value = xrpc
        .query(
            "app.bsky.actor.getProfile",
            &[("actor", refreshed.did.clone())],
        )
        .await
        .unwrap();
    assert_eq!(me["handle"], handle.as_str());

    let wrong = Xrpc::new(&pds, &handle, Secret::new("wrong-pass".into()), None).unwrap();
    match wrong.login().await {
        Err(NetworkError::Auth(message)) => assert!(message.contains("logging in as"), "{message}"),
        other => panic!("a wrong app password must be refused: {other:?}"),
    }
}

/// hark as a user runs it: a config naming the PDS, the app password in an environment variable.
fn hark_cli(home: &std::path::Path, password: &str) -> assert_cmd::Command {
    let mut command = common::hark_in(home);
    command
        .env("HARK_BSKY_PASSWORD", password)
        .arg("--config")
        .arg(home.join("config.toml"))
        .arg("--db")
        .arg(home.join("hark.db"));
    command
}

fn stdout_json(output: &std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "hark failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
#[ignore = "needs the reference Bluesky servers (../shared/bsky-peer)"]
async fn hark_sync_on_the_command_line_brings_a_mention_in_and_sends_the_reply() {
    let pds = env("PDS_URL");
    let (brand_handle, brand_password) = (env("ACCOUNT_A_HANDLE"), env("ACCOUNT_A_PASSWORD"));
    let bob = Customer::login(&pds, &env("ACCOUNT_B_HANDLE"), &env("ACCOUNT_B_PASSWORD")).await;
    let alice_did = env("ACCOUNT_A_DID");
    let nonce = format!("order {}", chrono::Utc::now().timestamp_micros());
    let text = format!("@{brand_handle} where is my {nonce}? 📦");
    let mention = bob
        .post(
            &text,
            None,
            json!([{ "index": { "byteStart": 0, "byteEnd": brand_handle.len() + 1 },
            "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": alice_did }] }]),
        )
        .await;

    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "agent = \"ana\"\n\n[[accounts]]\nname = \"brand\"\nnetwork = \"bluesky\"\n\
             handle = \"{brand_handle}\"\nservice = \"{pds}\"\ntoken_env = \"HARK_BSKY_PASSWORD\"\n\
             dms = false\n"
        ),
    )
    .unwrap();

    let mut conversation = None;
    for _ in 0..40 {
        let output = hark_cli(home.path(), &brand_password)
            .args(["sync", "--once"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let list = stdout_json(
            &hark_cli(home.path(), &brand_password)
                .args(["conversations", "list", "--json", "-n", "200"])
                .output()
                .unwrap(),
        );
        conversation = list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["snippet"].as_str().is_some_and(|s| s.contains(&nonce)))
            .cloned();
        if conversation.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let conversation = conversation.expect("the mention never arrived through `hark sync --once`");
    assert_eq!(conversation["kind"], "mention");
    assert_eq!(conversation["network"], "bluesky");
    let id = conversation["id"].to_string();

    let reply = format!("On its way, your {nonce} ships today");
    hark_cli(home.path(), &brand_password)
        .args(["reply", &id, "--text", &reply, "--close"])
        .assert()
        .success();
    let mut sent = None;
    for _ in 0..10 {
        hark_cli(home.path(), &brand_password)
            .args(["sync", "--once"])
            .assert()
            .success();
        let shown = stdout_json(
            &hark_cli(home.path(), &brand_password)
                .args(["conversations", "show", &id, "--json"])
                .output()
                .unwrap(),
        );
        let ours = shown["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| {
                m["direction"] == "out" && m["text"].as_str().is_some_and(|t| t.starts_with(&reply))
            })
            .cloned()
            .unwrap();
        if ours["delivery"] == "sent" {
            assert_eq!(shown["conversation"]["status"], "closed");
            sent = ours["remote_id"].as_str().map(String::from);
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let reply_uri = sent.expect("the reply was never sent");

    // Bob sees it under his mention.
    let mut seen = false;
    for _ in 0..60 {
        let thread = bob
            .get(
                "app.bsky.feed.getPostThread",
                &[("uri", mention["uri"].as_str().unwrap())],
            )
            .await;
        if thread["thread"]["replies"]
            .as_array()
            .is_some_and(|replies| {
                replies
                    .iter()
                    .any(|r| r["post"]["uri"] == reply_uri.as_str())
            })
        {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(seen, "the customer never saw the reply");

    // A second box (a fresh database) that syncs the same account shows the brand's reply in
    // the thread too, though it was sent from elsewhere.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        home.path().join("config.toml"),
        other.path().join("config.toml"),
    )
    .unwrap();
    hark_cli(other.path(), &brand_password)
        .args(["sync", "--once"])
        .assert()
        .success();
    let list = stdout_json(
        &hark_cli(other.path(), &brand_password)
            .args(["conversations", "list", "--json", "-n", "200"])
            .output()
            .unwrap(),
    );
    let copy = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["snippet"].as_str().is_some_and(|s| s.contains(&nonce)))
        .cloned()
        .expect("the mention in the second box");
    let shown = stdout_json(
        &hark_cli(other.path(), &brand_password)
            .args(["conversations", "show", &copy["id"].to_string(), "--json"])
            .output()
            .unwrap(),
    );
    let directions: Vec<(&str, &str)> = shown["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["direction"].as_str().unwrap(),
                m["remote_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        directions,
        [
            ("in", mention["uri"].as_str().unwrap()),
            ("out", reply_uri.as_str())
        ]
    );
}
