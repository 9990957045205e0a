#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The Mastodon connector against an in-project fake server that answers as the Mastodon API
//! docs describe: Link paging, rate-limit headers, error bodies.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use hark::clock::{ManualClock, SharedClock};
use hark::config::Secret;
use hark::model::{ConversationKind, Direction, Folder, NetworkKind};
use hark::networks::mastodon::{DMS, MENTIONS, MastodonNetwork, api::Client};
use hark::networks::{Network, NetworkError, ReplyRequest};
use hark::store::{NewAccount, PageCursor, Store};
use hark::sync::{StoreCell, SyncAccount, SyncEngine};
use serde_json::{Value, json};
use wiremock::matchers::{
    body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn account(id: &str, acct: &str, name: &str) -> Value {
    json!({ "id": id, "username": acct.split('@').next().unwrap(), "acct": acct, "display_name": name,
            "url": format!("https://example.social/@{acct}"), "avatar": "https://example.social/a.png",
            "note": "<p>Coffee &amp; code</p>", "followers_count": 42, "locked": false, "bot": false,
            "created_at": "2024-01-01T00:00:00.000Z", "emojis": [], "fields": [] })
}

fn status(id: &str, who: &Value, html: &str, reply_to: Option<&str>, visibility: &str) -> Value {
    json!({ "id": id, "created_at": format!("2026-06-01T09:{:02}:00.000Z", id.parse::<u32>().unwrap() % 60),
            "in_reply_to_id": reply_to, "visibility": visibility, "content": html, "spoiler_text": "",
            "uri": format!("https://example.social/s/{id}"), "url": format!("https://example.social/@x/{id}"),
            "account": who, "mentions": [{ "id": "1", "username": "brand", "acct": "brand", "url": "u" }],
            "media_attachments": [], "emojis": [], "tags": [], "sensitive": false,
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "favourited": false,
            "reblog": null, "some_future_field": { "nested": true } })
}

fn notification(id: &str, kind: &str, status: &Value) -> Value {
    json!({ "id": id, "type": kind, "created_at": status["created_at"], "group_key": format!("g-{id}"),
            "account": status["account"], "status": status })
}

async fn server() -> (MockServer, Value, Value) {
    let server = MockServer::start().await;
    let me = account("1", "brand", "Kettle & Crumb");
    let layla = account("7", "layla@other.example", "Layla Haddad");
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&me))
        .mount(&server)
        .await;
    (server, me, layla)
}

fn network(server: &MockServer, clock: &ManualClock) -> MastodonNetwork {
    let clock: SharedClock = Arc::new(clock.clone());
    MastodonNetwork::new(
        Client::new(&server.uri(), Some(Secret::new("tok".into())), clock).unwrap(),
    )
}

async fn mount_context(
    server: &MockServer,
    id: &str,
    ancestors: Vec<Value>,
    descendants: Vec<Value>,
) {
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/statuses/{id}/context")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ancestors": ancestors, "descendants": descendants })),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn mentions_arrive_with_their_thread_and_paging_goes_on_from_the_newest() {
    let (server, me, layla) = server().await;
    let ours = status("10", &me, "<p>Our autumn blend is here</p>", None, "public");
    let mention = status(
        "11",
        &layla,
        "<p><span class=\"h-card\"><a href=\"https://example.social/@brand\" class=\"u-url mention\">@<span>brand</span></a></span> my payment page won&#39;t load</p>",
        Some("10"),
        "public",
    );
    let other = status("12", &layla, "<p>@brand hello?</p>", Some("11"), "public");
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("types[]", "mention"))
        .and(query_param_is_missing("min_id"))
        .and(header("authorization", "Bearer tok"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([
                    notification("21", "mention", &other),
                    notification("20", "mention", &mention),
                    notification("19", "favourite", &ours),
                ]))
                .insert_header("link", format!("<{}/api/v1/notifications?max_id=19>; rel=\"next\", <{}/api/v1/notifications?min_id=21>; rel=\"prev\"", server.uri(), server.uri()))
                .insert_header("x-ratelimit-remaining", "299")
                .insert_header("x-ratelimit-reset", "2026-06-01T10:00:00.000Z"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("max_id", "19"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    mount_context(&server, "11", vec![ours.clone()], vec![other.clone()]).await;
    mount_context(&server, "12", vec![ours.clone(), mention.clone()], vec![]).await;

    let clock = ManualClock::new(t(0));
    let mastodon = network(&server, &clock);
    let page = mastodon.fetch_since(MENTIONS, None).await.unwrap();
    assert_eq!(
        page.cursor.as_deref(),
        Some("21"),
        "the newest notification, favourites included"
    );
    let texts: Vec<(&str, &str, Direction)> = page
        .items
        .iter()
        .map(|item| {
            (
                item.root_remote_id.as_str(),
                item.message.text.as_str(),
                item.message.direction,
            )
        })
        .collect();
    assert!(
        texts.contains(&("10", "Our autumn blend is here", Direction::Out)),
        "{texts:?}"
    );
    assert!(
        texts.contains(&("10", "@brand my payment page won't load", Direction::In)),
        "{texts:?}"
    );
    assert!(
        page.items
            .iter()
            .all(|item| item.kind == ConversationKind::Mention)
    );
    let customer = &page.items[0].customer;
    assert_eq!(
        (customer.handle.as_str(), customer.name.as_deref()),
        ("layla@other.example", Some("Layla Haddad"))
    );
    assert_eq!(customer.bio.as_deref(), Some("Coffee & code"));
    assert!(
        page.items[0]
            .message
            .raw
            .to_value()
            .get("some_future_field")
            .is_some(),
        "the raw JSON is kept"
    );

    // Next time: only what is newer than the cursor.
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("min_id", "21"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let next = mastodon.fetch_since(MENTIONS, Some("21")).await.unwrap();
    assert!(next.items.is_empty() && !next.more);
    assert_eq!(next.cursor.as_deref(), Some("21"));
}

#[tokio::test]
async fn the_sync_stores_one_conversation_per_thread() {
    let (server, me, layla) = server().await;
    let ours = status("10", &me, "<p>New blend</p>", None, "public");
    let mention = status("11", &layla, "<p>@brand love it</p>", Some("10"), "public");
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([notification("20", "mention", &mention)])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/conversations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    mount_context(&server, "11", vec![ours], vec![]).await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let mut store = Store::open(&db).unwrap();
    let account_id = store
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
    let (events, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let engine = SyncEngine::new(StoreCell::new(db.clone()), shared, events);
    let sync = SyncAccount {
        account_id,
        name: "brand".into(),
        network: Arc::new(network(&server, &clock)),
        interval: Duration::from_secs(60),
    };
    engine.sync_once(&sync).await.unwrap();
    engine.sync_once(&sync).await.unwrap();
    let rows = store
        .folder_page(&Folder::Open, PageCursor::START, 10)
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].message_count, 2,
        "the brand's post and the mention; the second sync added nothing"
    );
    assert_eq!(
        store
            .sync_cursor(account_id, MENTIONS)
            .unwrap()
            .unwrap()
            .cursor
            .as_deref(),
        Some("20")
    );
    drop(store);
}

#[tokio::test]
async fn direct_messages_page_by_their_last_status_and_stay_direct() {
    let (server, me, layla) = server().await;
    let first = status(
        "30",
        &layla,
        "<p>@brand where is my order?</p>",
        None,
        "direct",
    );
    let ours = status("31", &me, "<p>@layla checking!</p>", Some("30"), "direct");
    let last = status("32", &layla, "<p>@brand thanks</p>", Some("31"), "direct");
    Mock::given(method("GET"))
        .and(path("/api/v1/conversations"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{ "id": "5", "unread": true, "accounts": [layla], "last_status": last }]))
                .insert_header("link", format!("<{}/api/v1/conversations?max_id=32>; rel=\"next\", <{}/api/v1/conversations?min_id=32>; rel=\"prev\"", server.uri(), server.uri())),
        )
        .mount(&server)
        .await;
    mount_context(&server, "32", vec![first, ours], vec![]).await;
    let clock = ManualClock::new(t(0));
    let mastodon = network(&server, &clock);
    let page = mastodon.fetch_since(DMS, None).await.unwrap();
    assert_eq!(
        page.cursor.as_deref(),
        Some("32"),
        "the last status id, not the conversation id"
    );
    assert_eq!(page.items.len(), 3);
    assert!(
        page.items
            .iter()
            .all(|i| i.kind == ConversationKind::Dm && i.root_remote_id == "5")
    );

    Mock::given(method("GET"))
        .and(path("/api/v1/statuses/32"))
        .respond_with(ResponseTemplate::new(200).set_body_json(status(
            "32",
            &account("7", "layla@other.example", "Layla"),
            "<p>thanks</p>",
            Some("31"),
            "direct",
        )))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("idempotency-key", "key-1"))
        .and(body_string_contains("visibility=direct"))
        .and(body_string_contains("in_reply_to_id=32"))
        .and(body_string_contains(
            "status=%40layla%40other.example+You%27re+welcome",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(status(
            "33",
            &me,
            "<p>ok</p>",
            Some("32"),
            "direct",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let sent = mastodon
        .reply(&ReplyRequest {
            kind: ConversationKind::Dm,
            root_remote_id: "5".into(),
            in_reply_to: Some("32".into()),
            recipient: Some("7".into()),
            text: "You're welcome".into(),
            idempotency_key: "key-1".into(),
            attempt: 1,
            created_at: chrono::Utc::now(),
            customer_last_message_at: None,
        })
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "33");
}

#[tokio::test]
async fn favourites_and_errors_are_mapped_for_the_sync() {
    let (server, _me, _layla) = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses/40/favourite"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "40" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({ "error": "Too many requests" }))
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "2026-06-01T09:05:00.000Z"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses/41/favourite"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "error": "The access token is invalid" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses/42/favourite"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>down</html>"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses/43/favourite"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": "))
        .mount(&server)
        .await;
    let clock = ManualClock::new(t(0));
    let mastodon = network(&server, &clock);
    mastodon.set_liked("40", true).await.unwrap();
    match mastodon.fetch_since(MENTIONS, Some("1")).await.unwrap_err() {
        NetworkError::RateLimited { reset_at, .. } => {
            assert_eq!(reset_at.unwrap().to_rfc3339(), "2026-06-01T09:05:00+00:00")
        }
        other => panic!("{other:?}"),
    }
    // The budget is spent until the reset: hark does not even ask.
    let before = server.received_requests().await.unwrap().len();
    assert!(matches!(
        mastodon.fetch_since(MENTIONS, Some("1")).await,
        Err(NetworkError::RateLimited { .. })
    ));
    assert_eq!(server.received_requests().await.unwrap().len(), before);
    clock.advance(chrono::Duration::minutes(6));
    assert!(
        matches!(mastodon.set_liked("41", true).await, Err(NetworkError::Auth(m)) if m.contains("access token is invalid"))
    );
    assert!(
        matches!(mastodon.set_liked("42", true).await, Err(NetworkError::Transient(m)) if m.contains("503"))
    );
    assert!(matches!(
        mastodon.set_liked("43", true).await,
        Err(NetworkError::Malformed(_))
    ));
}

#[tokio::test]
async fn the_instance_can_be_any_base_url_even_with_a_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/mastodon/api/v1/accounts/verify_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(account("1", "brand", "")))
        .mount(&server)
        .await;
    let clock: SharedClock = Arc::new(ManualClock::new(t(0)));
    let client = Client::new(
        &format!("{}/mastodon/", server.uri()),
        Some(Secret::new("t".into())),
        clock.clone(),
    )
    .unwrap();
    let me = MastodonNetwork::new(client).me().await.unwrap().clone();
    assert_eq!(me.acct, "brand");
    assert!(Client::new("ftp://example.org", None, clock.clone()).is_err());
    assert!(Client::new("not a url", None, clock).is_err());
}

#[tokio::test]
async fn closing_a_direct_message_marks_it_read_on_the_server() {
    let (server, _me, _layla) = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/conversations/5/read"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "id": "5", "unread": false, "accounts": [] })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let clock = ManualClock::new(t(0));
    let mastodon = network(&server, &clock);
    mastodon
        .conversation_closed(ConversationKind::Dm, "5")
        .await
        .unwrap();
    // A mention has nothing to mark: no request.
    mastodon
        .conversation_closed(ConversationKind::Mention, "6")
        .await
        .unwrap();
}

#[tokio::test]
async fn closing_a_mention_dismisses_its_notifications_when_configured() {
    let (server, me, layla) = server().await;
    let ours = status("10", &me, "<p>post</p>", None, "public");
    let mention = status("11", &layla, "<p>@brand hi</p>", Some("10"), "public");
    let elsewhere = status("50", &layla, "<p>@brand other thread</p>", None, "public");
    mount_context(&server, "10", vec![], vec![mention.clone()]).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            notification("21", "mention", &mention),
            notification("22", "mention", &elsewhere),
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/notifications/21/dismiss"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/notifications/22/dismiss"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let clock = ManualClock::new(t(0));
    network(&server, &clock)
        .conversation_closed(ConversationKind::Mention, "10")
        .await
        .unwrap();
    network(&server, &clock)
        .dismissing_on_close(true)
        .conversation_closed(ConversationKind::Mention, "10")
        .await
        .unwrap();
    let _ = ours;
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_add_signs_in_with_pkce_keeps_the_token_private_and_writes_the_config() {
    let (server, _me, _layla) = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps"))
        .and(body_string_contains("redirect_uris=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "9", "name": "hark", "client_id": "cid", "client_secret": "csecret", "vapid_key": "v" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=PASTED-CODE"))
        .and(body_string_contains("code_verifier="))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "access_token": "new-token", "token_type": "Bearer", "scope": "read write", "created_at": 1 })))
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("hark/config.toml");
    let instance = server.uri();
    let config_arg = config.clone();
    let home_path = home.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("hark")
            .unwrap()
            .env("HOME", &home_path)
            .arg("--config")
            .arg(&config_arg)
            .args([
                "accounts",
                "add",
                "mastodon",
                "--instance",
                &instance,
                "--name",
                "brand",
            ])
            .write_stdin("PASTED-CODE\n")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("/oauth/authorize?"), "{stdout}");
    assert!(
        stdout.contains("code_challenge_method=S256"),
        "PKCE: {stdout}"
    );
    assert!(stdout.contains("Signed in as @brand"), "{stdout}");
    let token_file = home.path().join("hark/secrets/brand.token");
    assert_eq!(std::fs::read_to_string(&token_file).unwrap(), "new-token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains("network = \"mastodon\"") && written.contains("token_file ="),
        "{written}"
    );
    assert!(
        !written.contains("new-token"),
        "the token never goes into the config"
    );
    let parsed = hark::config::Config::load(&config).unwrap();
    assert_eq!(parsed.accounts().next().unwrap().name, "brand");
}

#[tokio::test]
async fn a_huge_answer_is_refused_not_held_in_memory() {
    let (server, _me, _layla) = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![b' '; 17_000_000], "application/json"),
        )
        .mount(&server)
        .await;
    let clock = ManualClock::new(t(0));
    let err = network(&server, &clock)
        .fetch_since(MENTIONS, Some("1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NetworkError::Malformed(m) if m.contains("larger than 16 MB")),
        "{err:?}"
    );
}
