#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The Instagram connector against an in-project fake Graph API answering as the Instagram
//! Graph API docs describe (Instagram API with Facebook Login).

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use hark::clock::{Clock, ManualClock, SharedClock};
use hark::config::Secret;
use hark::model::{ConversationKind, Direction};
use hark::networks::graph::client::GraphClient;
use hark::networks::instagram::{COMMENTS, DMS, InstagramNetwork};
use hark::networks::{Network, NetworkError, ReplyRequest};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const IG: &str = "1789";
const PAGE: &str = "1001";

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap())
}

fn network(server: &MockServer, clock: &ManualClock) -> InstagramNetwork {
    let shared: SharedClock = Arc::new(clock.clone());
    let graph = GraphClient::new(
        &server.uri(),
        "v21.0",
        Secret::new("PAGE-TOKEN".into()),
        Arc::clone(&shared),
    )
    .unwrap();
    InstagramNetwork::new(graph, IG.into(), PAGE.into(), shared)
        .with_username(Some("@kettle".into()))
}

#[tokio::test]
async fn comments_and_replies_on_media_arrive_as_threads() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{IG}/media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "m1", "caption": "New mugs ☕\n#coffee", "timestamp": "2026-06-08T08:00:00+0000", "comments_count": 3 },
            { "id": "m0", "caption": "Quiet post", "timestamp": "2026-06-07T08:00:00+0000", "comments_count": 0 }
        ] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/m0/comments"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/m1/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                { "id": "c1", "text": "가격이 얼마예요?", "timestamp": "2026-06-09T09:00:00+0000",
                  "from": { "id": "u7", "username": "minji.k" }, "username": "minji.k", "hidden": false, "like_count": 2,
                  "replies": { "data": [
                      { "id": "c2", "text": "$18!", "timestamp": "2026-06-09T09:05:00+0000", "username": "kettle" }
                  ] } },
                { "id": "c0", "text": "old", "timestamp": "2026-04-01T09:00:00+0000", "username": "someone" }
            ],
            // The next page answers the same again (as some servers do with a stale cursor).
            "paging": { "next": format!("{}/v21.0/m1/comments?after=X&access_token=PAGE-TOKEN", server.uri()) }
        })))
        .mount(&server)
        .await;

    let page = network(&server, &clock)
        .fetch_since(COMMENTS, None)
        .await
        .unwrap();
    let summary: Vec<(&str, &str, Direction)> = page
        .items
        .iter()
        .map(|i| {
            (
                i.root_remote_id.as_str(),
                i.message.remote_id.as_str(),
                i.message.direction,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("c1", "c1", Direction::In), ("c1", "c2", Direction::Out)],
        "the old comment is left out; the brand's reply (known by username) goes out"
    );
    assert_eq!(page.items[0].customer.handle, "@minji.k");
    assert_eq!(page.items[0].subject.as_deref(), Some("New mugs ☕"));
    assert_eq!(page.items[0].kind, ConversationKind::Comment);
    server.verify().await;
}

fn reply(kind: ConversationKind, root: &str, clock: &ManualClock) -> ReplyRequest {
    ReplyRequest {
        kind,
        root_remote_id: root.into(),
        in_reply_to: Some(root.into()),
        recipient: Some("igsid-7".into()),
        text: "It is $18".into(),
        idempotency_key: "k".into(),
        attempt: 1,
        created_at: clock.now(),
        customer_last_message_at: Some(clock.now() - chrono::Duration::hours(2)),
    }
}

#[tokio::test]
async fn replies_go_to_visible_top_level_comments_and_likes_are_not_offered() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path("/v21.0/c1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "c1", "hidden": false })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/c9"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "c9", "hidden": true })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v21.0/c1/replies"))
        .and(body_string_contains("message=It+is+%2418"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "c3" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v21.0/c1"))
        .and(body_string_contains("hide=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PAGE}/messages")))
        .and(body_string_contains("\"igsid-7\""))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "recipient_id": "igsid-7", "message_id": "aWdf" })),
        )
        .expect(1)
        .mount(&server)
        .await;

    let ig = network(&server, &clock);
    let sent = ig
        .reply(&reply(ConversationKind::Comment, "c1", &clock))
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "c3");
    let hidden = ig
        .reply(&reply(ConversationKind::Comment, "c9", &clock))
        .await
        .unwrap_err();
    assert!(
        matches!(&hidden, NetworkError::Rejected(m) if m.contains("hidden comment")),
        "{hidden:?}"
    );
    let like = ig.set_liked("c1", true).await.unwrap_err();
    assert!(like.to_string().contains("no comment like"), "{like}");
    assert!(!ig.capabilities().like);
    ig.set_hidden("c1", true).await.unwrap();
    let dm = ig
        .reply(&reply(ConversationKind::Dm, "t_ig", &clock))
        .await
        .unwrap();
    assert_eq!(dm.remote_id, "aWdf");
    server.verify().await;
}

#[tokio::test]
async fn instagram_dms_come_through_the_linked_page() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/conversations")))
        .and(query_param("platform", "instagram"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [{
            "id": "aWdG", "updated_time": "2026-06-09T10:00:00+0000",
            "participants": { "data": [{ "id": IG, "username": "kettle" }, { "id": "igsid-7", "username": "minji.k" }] },
            "messages": { "data": [
                { "id": "aWdf1", "created_time": "2026-06-09T10:00:00+0000", "message": "안녕하세요 👋",
                  "from": { "id": "igsid-7", "username": "minji.k" } }
            ] }
        }] })))
        .mount(&server)
        .await;
    let page = network(&server, &clock)
        .fetch_since(DMS, None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let item = &page.items[0];
    assert_eq!(item.kind, ConversationKind::Dm);
    assert_eq!(item.customer.handle, "@minji.k");
    assert_eq!(item.customer.remote_id, "igsid-7");
    assert_eq!(item.message.direction, Direction::In);
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_add_instagram_finds_the_linked_account_through_the_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": PAGE, "name": "Kettle & Crumb",
            "instagram_business_account": { "id": IG, "username": "kettle" } })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{IG}/media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/conversations")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "(#10) Requires instagram_manage_messages permission", "code": 10 } })))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    let (uri, config_arg, home_path) = (server.uri(), config.clone(), home.path().to_owned());
    let output = std::thread::spawn(move || {
        common::hark_in(&home_path)
            .env("HARK_FB_TOKEN", "PAGE-TOKEN")
            .arg("--config")
            .arg(&config_arg)
            .args([
                "accounts",
                "add",
                "instagram",
                "--page-id",
                PAGE,
                "--api-base",
                &uri,
                "--graph-version",
                "v21.0",
                "--token-env",
                "HARK_FB_TOKEN",
            ])
            .output()
            .unwrap()
    })
    .join()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Instagram: @kettle (1789), through the Page 1001"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cannot read Instagram DMs: missing permission instagram_manage_messages"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&config).unwrap();
    for line in [
        "name = \"instagram-kettle\"",
        "network = \"instagram\"",
        "ig_user_id = \"1789\"",
        "page_id = \"1001\"",
        "handle = \"kettle\"",
    ] {
        assert!(written.contains(line), "{line} in {written}");
    }
}

#[tokio::test]
async fn media_the_account_is_tagged_in_arrive_as_mentions_and_can_be_answered() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{IG}/tags")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "t2", "caption": "Best cafe in town @kettle", "timestamp": "2026-06-09T11:00:00+0000",
              "username": "layla.h", "permalink": "https://www.instagram.com/p/XYZ/", "media_type": "IMAGE" },
            { "id": "t1", "timestamp": "2026-01-09T11:00:00+0000", "username": "old" }
        ] })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{IG}/mentions")))
        .and(body_string_contains("media_id=t2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "c77" })))
        .expect(1)
        .mount(&server)
        .await;
    let ig = network(&server, &clock);
    let page = ig
        .fetch_since(hark::networks::instagram::TAGS, None)
        .await
        .unwrap();
    assert_eq!(
        page.items.len(),
        1,
        "the old tag is before the first sync's window"
    );
    let item = &page.items[0];
    assert_eq!(item.kind, ConversationKind::Mention);
    assert_eq!(item.customer.handle, "@layla.h");
    assert_eq!(
        item.message.text,
        "Best cafe in town @kettle\nhttps://www.instagram.com/p/XYZ/"
    );
    let sent = ig
        .reply(&reply(ConversationKind::Mention, "t2", &clock))
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "c77");
    server.verify().await;
}

#[tokio::test]
async fn comments_on_ads_come_from_the_ad_accounts_instagram_media() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{IG}/media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "m1", "caption": "Organic post", "timestamp": "2026-06-08T08:00:00+0000", "comments_count": 1 }
        ] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/act_42/ads"))
        .and(query_param(
            "fields",
            "id,name,effective_status,creative{effective_instagram_media_id}",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "ad1", "name": "Autumn sale — 20% off", "effective_status": "ACTIVE",
              "creative": { "id": "cr1", "effective_instagram_media_id": "ad-media" } },
            // The same media in a second ad, and an ad that does not run on Instagram.
            { "id": "ad2", "name": "Autumn sale (copy)", "creative": { "id": "cr2", "effective_instagram_media_id": "ad-media" } },
            { "id": "ad3", "name": "Facebook only", "creative": { "id": "cr3" } },
            // An ad whose media is also on the profile: read once, as the organic post.
            { "id": "ad4", "name": "Boosted", "creative": { "id": "cr4", "effective_instagram_media_id": "m1" } }
        ] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/m1/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "c1", "text": "Nice", "timestamp": "2026-06-09T09:00:00+0000", "username": "a.person" }
        ] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/ad-media/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "c9", "text": "¿Envían a Chile?", "timestamp": "2026-06-09T10:00:00+0000",
              "from": { "id": "u9", "username": "dani.r" } }
        ] })))
        .expect(1)
        .mount(&server)
        .await;

    let page = network(&server, &clock)
        .with_ad_account(Some("42".into()))
        .fetch_since(COMMENTS, None)
        .await
        .unwrap();
    let summary: Vec<(&str, ConversationKind, Option<&str>)> = page
        .items
        .iter()
        .map(|i| (i.message.remote_id.as_str(), i.kind, i.subject.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("c1", ConversationKind::Comment, Some("Organic post")),
            (
                "c9",
                ConversationKind::AdComment,
                Some("[Ad] Autumn sale — 20% off")
            )
        ]
    );
    server.verify().await;
}

#[tokio::test]
async fn without_the_ads_permission_the_accounts_own_media_still_sync() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{IG}/media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "m1", "caption": "Organic post", "timestamp": "2026-06-08T08:00:00+0000", "comments_count": 1 }
        ] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/act_42/ads"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "(#200) Requires ads_read permission", "type": "OAuthException", "code": 200
        } })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/m1/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [
            { "id": "c1", "text": "Nice", "timestamp": "2026-06-09T09:00:00+0000", "username": "a.person" }
        ] })))
        .mount(&server)
        .await;
    let network = network(&server, &clock).with_ad_account(Some("act_42".into()));
    let page = network.fetch_since(COMMENTS, None).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let refused = network.check_access().await.unwrap();
    assert!(
        refused
            .iter()
            .any(|(what, why)| what.contains("ads") && why.contains("ads_read")),
        "{refused:?}"
    );
}
