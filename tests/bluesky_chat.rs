#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Bluesky direct messages against an in-project fake that follows the chat.bsky.convo lexicons
//! (no public chat server can run here): through the PDS with the atproto-proxy header, the
//! first sync from listConvos/getMessages, then getLog; replies with sendMessage.

use hark::config::Secret;
use hark::model::{ConversationKind, Direction};
use hark::networks::bluesky::xrpc::Xrpc;
use hark::networks::bluesky::{BlueskyNetwork, CHAT};
use hark::networks::{Network, NetworkError, ReplyRequest};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROXY: &str = "did:web:chat.example#bsky_chat";

fn member(did: &str, handle: &str) -> serde_json::Value {
    json!({ "did": did, "handle": handle, "displayName": handle.split('.').next().unwrap() })
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "did": "did:plc:brand", "handle": "brand.test", "accessJwt": "a", "refreshJwt": "r" })))
        .mount(&server)
        .await;
    server
}

fn network(server: &MockServer) -> BlueskyNetwork {
    BlueskyNetwork::new(
        Xrpc::new(&server.uri(), "brand.test", Secret::new("pw".into()), None).unwrap(),
    )
    .with_chat(PROXY)
}

#[tokio::test]
async fn dms_come_from_the_chat_service_and_replies_go_back_there() {
    let server = server().await;
    let convo = json!({ "id": "convo1", "rev": "222222a", "members": [member("did:plc:brand", "brand.test"), member("did:plc:mia", "mia.test")],
                        "muted": false, "unreadCount": 1 });
    Mock::given(method("GET"))
        .and(path("/xrpc/chat.bsky.convo.listConvos"))
        .and(header("atproto-proxy", PROXY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "convos": [convo] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/chat.bsky.convo.getMessages"))
        .and(query_param("convoId", "convo1"))
        .and(header("atproto-proxy", PROXY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "messages": [
            { "$type": "chat.bsky.convo.defs#messageView", "id": "m2", "rev": "2", "text": "are you there?", "sender": { "did": "did:plc:mia" }, "sentAt": "2026-06-01T09:05:00.000Z" },
            { "$type": "chat.bsky.convo.defs#messageView", "id": "m1", "rev": "1", "text": "hi, my box is late", "sender": { "did": "did:plc:mia" }, "sentAt": "2026-06-01T09:00:00.000Z" },
        ] })))
        .mount(&server)
        .await;
    let bluesky = network(&server);
    assert!(bluesky.streams().contains(&CHAT));
    let first = bluesky.fetch_since(CHAT, None).await.unwrap();
    assert_eq!(first.cursor.as_deref(), Some("222222a"));
    let texts: Vec<&str> = first
        .items
        .iter()
        .map(|i| i.message.text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["hi, my box is late", "are you there?"],
        "oldest first"
    );
    assert!(first.items.iter().all(|i| i.kind == ConversationKind::Dm
        && i.root_remote_id == "convo1"
        && i.customer.handle == "mia.test"));

    Mock::given(method("GET"))
        .and(path("/xrpc/chat.bsky.convo.getLog"))
        .and(query_param("cursor", "222222a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "cursor": "222222c", "logs": [
            { "$type": "chat.bsky.convo.defs#logReadMessage", "rev": "222222b", "convoId": "convo1" },
            { "$type": "chat.bsky.convo.defs#logCreateMessage", "rev": "222222c", "convoId": "convo1",
              "message": { "$type": "chat.bsky.convo.defs#messageView", "id": "m3", "rev": "222222c", "text": "thanks!", "sender": { "did": "did:plc:brand" }, "sentAt": "2026-06-01T09:10:00.000Z" } },
        ] })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/chat.bsky.convo.getConvo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "convo": convo_json() })))
        .mount(&server)
        .await;
    let next = bluesky.fetch_since(CHAT, Some("222222a")).await.unwrap();
    assert_eq!(next.cursor.as_deref(), Some("222222c"));
    assert_eq!(next.items.len(), 1);
    assert_eq!(
        next.items[0].message.direction,
        Direction::Out,
        "our own message, sent elsewhere"
    );

    Mock::given(method("POST"))
        .and(path("/xrpc/chat.bsky.convo.sendMessage"))
        .and(header("atproto-proxy", PROXY))
        .and(body_partial_json(json!({ "convoId": "convo1", "message": { "text": "On its way!" } })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "m4", "rev": "222222d", "text": "On its way!", "sender": { "did": "did:plc:brand" }, "sentAt": "2026-06-01T09:11:00.000Z" })))
        .expect(1)
        .mount(&server)
        .await;
    let sent = bluesky
        .reply(&ReplyRequest {
            kind: ConversationKind::Dm,
            root_remote_id: "convo1".into(),
            in_reply_to: Some("m2".into()),
            recipient: None,
            text: "On its way!".into(),
            idempotency_key: "k".into(),
            attempt: 1,
            created_at: chrono::Utc::now(),
            customer_last_message_at: None,
        })
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "m4");
}

fn convo_json() -> serde_json::Value {
    json!({ "id": "convo1", "rev": "222222c", "members": [member("did:plc:brand", "brand.test"), member("did:plc:mia", "mia.test")] })
}

#[tokio::test]
async fn an_app_password_without_dm_access_is_named_as_the_reason() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/chat.bsky.convo.listConvos"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "error": "InvalidToken", "message": "Bad token scope" })),
        )
        .mount(&server)
        .await;
    match network(&server).fetch_since(CHAT, None).await {
        Err(NetworkError::Auth(message)) => assert!(
            message.contains("allow access to your direct messages"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_answer_over_16_mb_is_refused_like_on_every_network() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/chat.bsky.convo.listConvos"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![b' '; 17_000_000], "application/json"),
        )
        .mount(&server)
        .await;
    let err = network(&server).fetch_since(CHAT, None).await.unwrap_err();
    assert!(
        matches!(&err, NetworkError::Malformed(m) if m.contains("larger than 16 MB")),
        "{err:?}"
    );
}
