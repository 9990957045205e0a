#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The Facebook Page connector against an in-project fake Graph API that answers as Meta's
//! Graph API docs describe: cursor paging with `next` URLs that carry the token, `+0000` times,
//! usage headers and throttling error codes instead of 429.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use hark::clock::{Clock, ManualClock, SharedClock};
use hark::config::Secret;
use hark::model::{ConversationKind, Direction};
use hark::networks::facebook::{COMMENTS, FacebookNetwork, MESSENGER};
use hark::networks::graph::client::GraphClient;
use hark::networks::{Network, NetworkError, ReplyRequest};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGE: &str = "1001";

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap())
}

fn network(server: &MockServer, clock: &ManualClock) -> FacebookNetwork {
    let shared: SharedClock = Arc::new(clock.clone());
    let graph = GraphClient::new(
        &server.uri(),
        "v21.0",
        Secret::new("PAGE-TOKEN".into()),
        Arc::clone(&shared),
    )
    .unwrap();
    FacebookNetwork::new(graph, PAGE.into(), shared)
}

fn comment(id: &str, time: &str, who: (&str, &str), text: &str, parent: Option<&str>) -> Value {
    let mut c = json!({ "id": id, "created_time": time, "message": text,
                        "from": { "id": who.0, "name": who.1 }, "like_count": 0, "user_likes": false,
                        "can_hide": true, "is_hidden": false, "can_reply_privately": true,
                        "permalink_url": format!("https://www.facebook.com/{id}"), "new_field": [1] });
    if let Some(parent) = parent {
        c["parent"] = json!({ "id": parent });
    }
    c
}

async fn mount_feed(server: &MockServer) {
    let next = format!(
        "{}/v21.0/{PAGE}/feed?fields=id&limit=25&access_token=PAGE-TOKEN&after=CURSOR2",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/feed")))
        .and(header("authorization", "Bearer PAGE-TOKEN"))
        .and(query_param("limit", "25"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                { "id": "1001_1", "message": "Autumn boxes are here!\nOrder today",
                  "created_time": "2026-06-01T08:00:00+0000", "updated_time": "2026-06-09T10:00:00+0000" }
            ],
            "paging": { "cursors": { "before": "B", "after": "CURSOR2" }, "next": next }
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/feed")))
        .and(query_param("after", "CURSOR2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                // Nothing new under this one since long before the sync window: not read.
                { "id": "1001_0", "message": "Old news", "created_time": "2026-01-01T08:00:00+0000",
                  "updated_time": "2026-01-02T08:00:00+0000" }
            ],
            "paging": { "cursors": { "before": "C", "after": "D" } }
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/1001_0/comments"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

#[tokio::test]
async fn comments_on_posts_and_ads_arrive_as_one_conversation_per_thread() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_feed(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/ads_posts")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [ { "id": "1001_9", "message": "20% off this week", "created_time": "2026-06-05T08:00:00+0000",
                        "updated_time": "2026-06-09T09:00:00+0000" } ]
        })))
        .mount(&server)
        .await;
    let page2 = format!(
        "{}/v21.0/1001_1/comments?access_token=PAGE-TOKEN&after=P2",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path("/v21.0/1001_1/comments"))
        .and(query_param("filter", "stream"))
        .and(query_param("order", "reverse_chronological"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                comment("1_12", "2026-06-09T10:00:00+0000", (PAGE, "Kettle & Crumb"), "So glad! ☕", Some("1_10")),
                comment("1_11", "2026-06-09T09:30:00+0000", ("77", "Sam Whitfield"), "Ships to Seoul? 서울", None),
            ],
            "paging": { "cursors": { "after": "P2" }, "next": page2 }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/1001_1/comments"))
        .and(query_param("after", "P2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                comment("1_10", "2026-06-09T09:00:00+0000", ("55", "ليلى حداد"), "أحب هذا", None),
                // Older than the window: paging stops here.
                comment("1_01", "2026-05-01T09:00:00+0000", ("56", "Old Timer"), "first!", None),
            ],
            "paging": { "cursors": { "after": "P3" }, "next": format!("{}/v21.0/1001_1/comments?after=P3", server.uri()) }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/1001_9/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [ { "id": "9_1", "created_time": "2026-06-09T08:00:00+0000", "message": "Code?" } ]
        })))
        .mount(&server)
        .await;

    let fb = network(&server, &clock);
    let page = fb.fetch_since(COMMENTS, None).await.unwrap();
    let summary: Vec<(&str, &str, Direction, ConversationKind)> = page
        .items
        .iter()
        .map(|i| {
            (
                i.root_remote_id.as_str(),
                i.message.remote_id.as_str(),
                i.message.direction,
                i.kind,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("9_1", "9_1", Direction::In, ConversationKind::AdComment),
            ("1_10", "1_10", Direction::In, ConversationKind::Comment),
            ("1_11", "1_11", Direction::In, ConversationKind::Comment),
            ("1_10", "1_12", Direction::Out, ConversationKind::Comment),
        ],
        "oldest first; the brand's reply joins Layla's thread"
    );
    assert_eq!(
        page.items[1].subject.as_deref(),
        Some("Autumn boxes are here!")
    );
    assert_eq!(page.items[1].customer.name.as_deref(), Some("ليلى حداد"));
    assert_eq!(
        page.items[0].customer.remote_id, "unknown",
        "no author given"
    );
    let cursor = page.cursor.clone().unwrap();
    assert_eq!(
        cursor,
        Utc.with_ymd_and_hms(2026, 6, 9, 10, 0, 0)
            .unwrap()
            .timestamp()
            .to_string()
    );
    server.verify().await;
}

#[tokio::test]
async fn without_the_ads_permission_the_page_comments_still_sync() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_feed(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/ads_posts")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "(#200) Requires ads_read permission", "type": "OAuthException", "code": 200,
            "fbtrace_id": "AbC" } })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/1001_1/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [ comment("1_11", "2026-06-09T09:30:00+0000", ("77", "Sam"), "Hi", None) ]
        })))
        .mount(&server)
        .await;
    let page = network(&server, &clock)
        .fetch_since(COMMENTS, None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn replies_likes_hiding_and_private_replies_follow_the_graph_api() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("POST"))
        .and(path("/v21.0/1_10/comments"))
        .and(body_string_contains("message=Thanks%2C+Layla"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1_13" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v21.0/1_11/likes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v21.0/1_11/likes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v21.0/1_11"))
        .and(body_string_contains("is_hidden=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "success": true })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PAGE}/messages")))
        .and(body_json(json!({ "recipient": { "comment_id": "1_11" }, "message": { "text": "Sent you the code" } })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "recipient_id": "55", "message_id": "m_abc" })))
        .expect(1)
        .mount(&server)
        .await;

    let fb = network(&server, &clock);
    let sent = fb
        .reply(&ReplyRequest {
            kind: ConversationKind::Comment,
            root_remote_id: "1_10".into(),
            in_reply_to: Some("1_12".into()),
            recipient: Some("55".into()),
            text: "Thanks, Layla".into(),
            idempotency_key: "k1".into(),
            attempt: 1,
            created_at: Utc::now(),
            customer_last_message_at: None,
        })
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "1_13");
    fb.set_liked("1_11", true).await.unwrap();
    fb.set_liked("1_11", false).await.unwrap();
    fb.set_hidden("1_11", true).await.unwrap();
    let private = fb.private_reply("1_11", "Sent you the code").await.unwrap();
    assert_eq!(private.remote_id, "m_abc");
    server.verify().await;
}

#[tokio::test]
async fn usage_near_the_limit_pauses_calls_and_throttling_codes_wait() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("POST"))
        .and(path("/v21.0/1_11/likes"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "x-business-use-case-usage",
                    r#"{"1001":[{"type":"pages","call_count":96,"total_cputime":10,"total_time":12,"estimated_time_to_regain_access":3}]}"#,
                )
                .set_body_json(json!({ "success": true })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v21.0/1_12/likes"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32 } })))
        .expect(1)
        .mount(&server)
        .await;

    let fb = network(&server, &clock);
    fb.set_liked("1_11", true).await.unwrap();
    // The answer said 96% of the budget is used and access returns in 3 minutes: hark waits.
    let refused = fb.set_liked("1_11", true).await.unwrap_err();
    assert!(
        matches!(refused, NetworkError::RateLimited { retry_after: Some(wait), .. } if wait == Duration::from_secs(180)),
        "{refused:?}"
    );
    clock.advance(chrono::Duration::minutes(4));
    let throttled = fb.set_liked("1_12", true).await.unwrap_err();
    assert!(
        matches!(throttled, NetworkError::RateLimited { .. }),
        "{throttled:?}"
    );
    assert!(throttled.is_retryable());
    server.verify().await;
}

#[tokio::test]
async fn an_expired_token_stops_the_account_and_paging_links_elsewhere_are_refused() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/feed")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": {
            "message": "Error validating access token: Session has expired", "type": "OAuthException",
            "code": 190, "error_subcode": 463 } })))
        .mount(&server)
        .await;
    let err = network(&server, &clock)
        .fetch_since(COMMENTS, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NetworkError::Auth(m) if m.contains("expired")),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    let graph = GraphClient::new(
        &server.uri(),
        "v21.0",
        Secret::new("PAGE-TOKEN".into()),
        Arc::new(clock.clone()),
    )
    .unwrap();
    let err = graph
        .get_url("https://evil.example/v21.0/x?access_token=PAGE-TOKEN")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("PAGE-TOKEN"), "{err}");
}

#[tokio::test]
async fn messenger_conversations_updated_since_the_cursor_arrive_as_dms() {
    let server = MockServer::start().await;
    let clock = clock();
    let message = |id: &str, time: &str, from: (&str, &str), text: &str| {
        json!({ "id": id, "created_time": time, "message": text, "from": { "id": from.0, "name": from.1 },
                "to": { "data": [] }, "tags": { "data": [{ "name": "inbox" }] } })
    };
    let next = format!(
        "{}/v21.0/{PAGE}/conversations?access_token=PAGE-TOKEN&after=C2",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/conversations")))
        .and(query_param("platform", "messenger"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{
                "id": "t_1", "updated_time": "2026-06-09T10:00:00+0000",
                "participants": { "data": [{ "id": "55", "name": "Layla" }, { "id": PAGE, "name": "Kettle" }] },
                "messages": { "data": [
                    message("m_2", "2026-06-09T10:00:00+0000", (PAGE, "Kettle"), "Sending a new one today"),
                    message("m_1", "2026-06-09T09:00:00+0000", ("55", "Layla"), "My box arrived broken 😢"),
                ] }
            }],
            "paging": { "cursors": { "after": "C2" }, "next": next }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/conversations")))
        .and(query_param("after", "C2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "t_0", "updated_time": "2026-01-01T00:00:00+0000",
                       "messages": { "data": [message("m_0", "2026-01-01T00:00:00+0000", ("56", "Old"), "hi")] } }]
        })))
        .mount(&server)
        .await;

    let page = network(&server, &clock)
        .fetch_since(MESSENGER, None)
        .await
        .unwrap();
    let ids: Vec<(&str, Direction)> = page
        .items
        .iter()
        .map(|i| (i.message.remote_id.as_str(), i.message.direction))
        .collect();
    assert_eq!(
        ids,
        [("m_1", Direction::In), ("m_2", Direction::Out)],
        "older conversations stop the paging"
    );
    assert!(page.items.iter().all(|i| i.kind == ConversationKind::Dm
        && i.root_remote_id == "t_1"
        && i.customer.remote_id == "55"));
    assert_eq!(
        page.cursor.as_deref(),
        Some(
            Utc.with_ymd_and_hms(2026, 6, 9, 10, 0, 0)
                .unwrap()
                .timestamp()
                .to_string()
                .as_str()
        )
    );
}

fn dm_reply(last_message_hours_ago: i64, clock: &ManualClock) -> ReplyRequest {
    ReplyRequest {
        kind: ConversationKind::Dm,
        root_remote_id: "t_1".into(),
        in_reply_to: Some("m_1".into()),
        recipient: Some("55".into()),
        text: "A new box ships today".into(),
        idempotency_key: "k".into(),
        attempt: 1,
        created_at: clock.now(),
        customer_last_message_at: Some(
            clock.now() - chrono::Duration::hours(last_message_hours_ago),
        ),
    }
}

#[tokio::test]
async fn messenger_replies_keep_to_the_24_hour_and_human_agent_windows() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PAGE}/messages")))
        .and(body_json(
            json!({ "recipient": { "id": "55" }, "messaging_type": "RESPONSE",
                               "message": { "text": "A new box ships today" } }),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "recipient_id": "55", "message_id": "m_in_window" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PAGE}/messages")))
        .and(body_json(json!({ "recipient": { "id": "55" }, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
                               "message": { "text": "A new box ships today" } })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "recipient_id": "55", "message_id": "m_tagged" })))
        .expect(1)
        .mount(&server)
        .await;

    let fb = network(&server, &clock);
    assert_eq!(
        fb.reply(&dm_reply(3, &clock)).await.unwrap().remote_id,
        "m_in_window"
    );
    let refused = fb.reply(&dm_reply(30, &clock)).await.unwrap_err();
    assert!(
        matches!(&refused, NetworkError::Rejected(m) if m.contains("24-hour window closed") && m.contains("human_agent")),
        "{refused:?}"
    );
    let tagged = network(&server, &clock).with_human_agent(true);
    assert_eq!(
        tagged.reply(&dm_reply(30, &clock)).await.unwrap().remote_id,
        "m_tagged"
    );
    let too_late = tagged.reply(&dm_reply(24 * 8, &clock)).await.unwrap_err();
    assert!(
        matches!(&too_late, NetworkError::Rejected(m) if m.contains("7-day")),
        "{too_late:?}"
    );
    server.verify().await;
}

fn graph_time(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// The whole way a user goes: a config naming the Page and a fake Graph API, `hark sync
/// --once`, the conversations listed, a Messenger reply sent from the command line.
#[tokio::test(flavor = "multi_thread")]
async fn hark_sync_and_reply_from_the_command_line() {
    let server = MockServer::start().await;
    let now = Utc::now();
    let hour_ago = graph_time(now - chrono::Duration::hours(1));
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/feed")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "1001_1", "message": "Autumn boxes!", "created_time": hour_ago, "updated_time": hour_ago }]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/ads_posts")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v21.0/1001_1/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [comment("1_11", &hour_ago, ("77", "Sam Whitfield"), "Do you ship to Busan?", None)]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/conversations")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "t_1", "updated_time": hour_ago,
                "participants": { "data": [{ "id": "55", "name": "Layla Haddad" }, { "id": PAGE, "name": "Kettle" }] },
                "messages": { "data": [{ "id": "m_1", "created_time": hour_ago, "message": "Where is my order?",
                                         "from": { "id": "55", "name": "Layla Haddad" } }] } }]
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PAGE}/messages")))
        .and(body_json(
            json!({ "recipient": { "id": "55" }, "messaging_type": "RESPONSE",
                               "message": { "text": "It ships today" } }),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "recipient_id": "55", "message_id": "m_2" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PAGE}/messages")))
        .and(body_json(json!({ "recipient": { "comment_id": "1_11" },
                               "message": { "text": "Sent you the code" } })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "recipient_id": "77", "message_id": "m_3" })),
        )
        .expect(1)
        .mount(&server)
        .await;

    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "agent = \"ana\"\n[[accounts]]\nname = \"kettle-fb\"\nnetwork = \"facebook\"\n\
             page_id = \"{PAGE}\"\napi_base = \"{}\"\ngraph_version = \"v21.0\"\n\
             token_env = \"HARK_FB_TOKEN\"\nsignature = \"\"\n",
            server.uri()
        ),
    )
    .unwrap();
    let attempt = |args: Vec<String>| {
        let home = home.path().to_owned();
        std::thread::spawn(move || {
            let mut command = common::hark_in(&home);
            command
                .env("HARK_FB_TOKEN", "PAGE-TOKEN")
                .arg("--config")
                .arg(home.join("config.toml"))
                .arg("--db")
                .arg(home.join("hark.db"))
                .args(&args);
            command.output().unwrap()
        })
        .join()
        .unwrap()
    };
    let run = |args: Vec<String>| {
        let output = attempt(args.clone());
        assert!(
            output.status.success(),
            "hark {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    run(vec!["sync".into(), "--once".into()]);
    let list: Value = serde_json::from_slice(&run(vec![
        "conversations".into(),
        "list".into(),
        "--json".into(),
    ]))
    .unwrap();
    let conversations = list["conversations"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = conversations
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["customer"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{list}");
    assert!(kinds.contains(&("comment", "Sam Whitfield")), "{kinds:?}");
    assert!(kinds.contains(&("dm", "Layla Haddad")), "{kinds:?}");
    let dm = conversations.iter().find(|c| c["kind"] == "dm").unwrap();
    run(vec![
        "reply".into(),
        dm["id"].to_string(),
        "--text".into(),
        "It ships today".into(),
    ]);
    run(vec!["sync".into(), "--once".into()]);
    let shown: Value = serde_json::from_slice(&run(vec![
        "conversations".into(),
        "show".into(),
        dm["id"].to_string(),
        "--json".into(),
    ]))
    .unwrap();
    let last = shown["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["delivery"], "sent", "{shown}");
    assert_eq!(last["remote_id"], "m_2");

    // The comment answered in Sam's private inbox: once, and marked private in the thread.
    let comment = conversations
        .iter()
        .find(|c| c["kind"] == "comment")
        .unwrap();
    let private = vec![
        "reply".into(),
        comment["id"].to_string(),
        "--private".into(),
        "--text".into(),
        "Sent you the code".into(),
    ];
    run(private.clone());
    let shown: Value = serde_json::from_slice(&run(vec![
        "conversations".into(),
        "show".into(),
        comment["id"].to_string(),
        "--json".into(),
    ]))
    .unwrap();
    let last = shown["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["private"], true, "{shown}");
    assert_eq!(last["delivery"], "sent", "{shown}");
    assert_eq!(last["remote_id"], "m_3");
    assert_eq!(last["in_reply_to"], "1_11");
    let again = attempt(private);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already has a private reply"), "{stderr}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_add_facebook_checks_the_token_and_names_a_missing_permission() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "id": PAGE, "name": "Kettle & Crumb" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/feed")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{PAGE}/conversations")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({ "error": {
            "message": "(#200) Requires pages_messaging permission to manage the object",
            "type": "OAuthException", "code": 200 } })))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    let uri = server.uri();
    let config_arg = config.clone();
    let home_path = home.path().to_owned();
    let output = std::thread::spawn(move || {
        common::hark_in(&home_path)
            .env("HARK_FB_TOKEN", "PAGE-TOKEN")
            .arg("--config")
            .arg(&config_arg)
            .args([
                "accounts",
                "add",
                "facebook",
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
    assert!(stdout.contains("Page: Kettle & Crumb (1001)"), "{stdout}");
    assert!(
        stdout.contains("cannot read Messenger conversations: missing permission pages_messaging"),
        "{stdout}"
    );
    assert!(!stdout.contains("PAGE-TOKEN"));
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains("name = \"facebook-kettle---crumb\"")
            || written.contains("network = \"facebook\""),
        "{written}"
    );
    assert!(
        written.contains("page_id = \"1001\"") && written.contains("token_env = \"HARK_FB_TOKEN\""),
        "{written}"
    );
    assert!(!written.contains("PAGE-TOKEN"));
}
