#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The X connector against an in-project fake of X API v2, answering as the API reference and
//! the recorded answers show.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use hark::clock::{ManualClock, SharedClock};
use hark::config::Secret;
use hark::model::{ConversationKind, Direction};
use hark::networks::x::api::{Credentials, XClient};
use hark::networks::x::auth::{App, Session};
use hark::networks::x::{DMS, MENTIONS, SEARCHES, XNetwork};
use hark::networks::{Network, NetworkError, ReplyRequest};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ME: &str = "1072250532645998596";

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap())
}

fn network(server: &MockServer, clock: &ManualClock) -> XNetwork {
    let shared: SharedClock = Arc::new(clock.clone());
    let client = XClient::new(
        &server.uri(),
        Credentials::Fixed(Secret::new("USER-TOKEN".into())),
        Arc::clone(&shared),
    )
    .unwrap();
    XNetwork::new(client, shared)
}

async fn mount_me(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "data": { "id": ME, "name": "Kettle & Crumb", "username": "kettlecrumb" } }),
        ))
        .mount(server)
        .await;
}

fn user(id: &str, username: &str, name: &str) -> Value {
    json!({ "id": id, "username": username, "name": name, "profile_image_url": "https://pbs.example/a.jpg",
            "public_metrics": { "followers_count": 42 } })
}

#[tokio::test]
async fn mentions_arrive_by_thread_with_the_post_they_answer() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    // The second page, asked for with the first page's next_token.
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .and(query_param("pagination_token", "PAGE2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "1500", "text": "@kettlecrumb hola", "author_id": "9", "conversation_id": "1500",
                       "created_at": "2026-06-10T08:00:00.000Z" }],
            "includes": { "users": [user("9", "ana_g", "Ana García")] },
            "meta": { "result_count": 1, "newest_id": "1500", "oldest_id": "1500" }
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .and(query_param("max_results", "100"))
        .and(query_param("expansions", "author_id,referenced_tweets.id,referenced_tweets.id.author_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                // A reply to the brand's post: a comment, with the brand's post first.
                { "id": "1600", "text": "@kettlecrumb 배송은 언제예요? 📦", "author_id": "7", "conversation_id": "1590",
                  "in_reply_to_user_id": ME, "created_at": "2026-06-10T10:00:00.000Z",
                  "referenced_tweets": [{ "type": "replied_to", "id": "1590" }],
                  "edit_history_tweet_ids": ["1600"] },
                // A repost of a mention: nothing to answer.
                { "id": "1550", "text": "RT @x: @kettlecrumb", "author_id": "8", "conversation_id": "1550",
                  "referenced_tweets": [{ "type": "retweeted", "id": "1" }] }
            ],
            "includes": {
                "users": [user("7", "minji", "민지"), user(ME, "kettlecrumb", "Kettle & Crumb")],
                "tweets": [{ "id": "1590", "text": "New autumn blend!", "author_id": ME, "conversation_id": "1590",
                             "created_at": "2026-06-09T10:00:00.000Z" }]
            },
            "errors": [{ "title": "Not Found Error", "detail": "Could not find tweet with referenced_tweets.id: [1].",
                         "type": "https://api.twitter.com/2/problems/resource-not-found" }],
            "meta": { "result_count": 2, "newest_id": "1600", "oldest_id": "1550", "next_token": "PAGE2" }
        })))
        .mount(&server)
        .await;

    let x = network(&server, &clock);
    let first = x.fetch_since(MENTIONS, None).await.unwrap();
    let saved = first.cursor.clone().expect("how far the pass got is saved");
    assert!(saved.contains("\"until\":\"1550\""), "{saved}");
    let resume = first
        .resume
        .clone()
        .expect("the pass goes on to the next page");
    let page = x.fetch_since(MENTIONS, Some(&resume)).await.unwrap();
    assert_eq!(page.resume, None);
    let items: Vec<_> = first.items.iter().chain(&page.items).collect();
    let summary: Vec<(&str, &str, ConversationKind, Direction)> = items
        .iter()
        .map(|i| {
            (
                i.root_remote_id.as_str(),
                i.message.remote_id.as_str(),
                i.kind,
                i.message.direction,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("1590", "1590", ConversationKind::Comment, Direction::Out),
            ("1590", "1600", ConversationKind::Comment, Direction::In),
            ("1500", "1500", ConversationKind::Mention, Direction::In),
        ]
    );
    let reply = items[1];
    assert_eq!(reply.customer.handle, "@minji");
    assert_eq!(reply.customer.name.as_deref(), Some("민지"));
    assert_eq!(reply.customer.followers, Some(42));
    assert_eq!(reply.message.parent_remote_id.as_deref(), Some("1590"));
    assert_eq!(
        page.cursor.as_deref(),
        Some("1600"),
        "the newest id of all pages"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_backlog_longer_than_a_pass_is_read_on_in_the_next_pass_not_skipped() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    // Eleven mentions newer than the last pass (since_id 1000), one a page: 2000 down to 1990.
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .and(query_param("since_id", "1000"))
        .respond_with(|request: &wiremock::Request| {
            let query: std::collections::HashMap<String, String> =
                request.url.query_pairs().into_owned().collect();
            let id: u64 = match (query.get("pagination_token"), query.get("until_id")) {
                (Some(token), _) => token.parse().unwrap(),
                (None, Some(until)) => until.parse::<u64>().unwrap() - 1,
                (None, None) => 2000,
            };
            let mut meta = json!({ "result_count": 1, "newest_id": id.to_string(),
                                   "oldest_id": id.to_string() });
            if id > 1990 {
                meta["next_token"] = json!((id - 1).to_string());
            }
            ResponseTemplate::new(200).set_body_json(json!({
                "data": [{ "id": id.to_string(), "text": "@kettlecrumb hi", "author_id": "9",
                           "conversation_id": id.to_string(), "created_at": "2026-06-10T08:00:00.000Z" }],
                "includes": { "users": [user("9", "ana_g", "Ana García")] },
                "meta": meta
            }))
        })
        .expect(11)
        .mount(&server)
        .await;
    let x = network(&server, &clock);
    let mut stored = Some("1000".to_string());
    let mut read = Vec::new();
    let mut passes = Vec::new();
    while passes.len() < 4 {
        // One pass: pages while it says where it goes on, then the cursor it leaves.
        let mut position = stored.clone();
        let mut pages = 0;
        loop {
            let page = x.fetch_since(MENTIONS, position.as_deref()).await.unwrap();
            pages += 1;
            read.extend(page.items.iter().map(|i| i.message.remote_id.clone()));
            if page.cursor.is_some() {
                stored = page.cursor.clone();
            }
            match page.resume {
                Some(resume) => position = Some(resume),
                None => break,
            }
        }
        passes.push(pages);
        if stored.as_deref().is_some_and(|c| !c.starts_with('{')) {
            break;
        }
    }
    assert_eq!(passes, [5, 5, 1], "five pages a pass, the backlog read on");
    // X wants a page token sent with the query it came from: the second pass's tokens go with
    // its until_id.
    let asked: Vec<(Option<String>, Option<String>)> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/mentions"))
        .map(|r| {
            let find = |name: &str| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            (find("pagination_token"), find("until_id"))
        })
        .collect();
    let second_pass: Vec<_> = asked[5..10]
        .iter()
        .map(|(_, until)| until.clone())
        .collect();
    assert_eq!(second_pass, vec![Some("1996".to_string()); 5]);
    assert!(asked[..5].iter().all(|(_, until)| until.is_none()));
    assert_eq!(asked[10].1.as_deref(), Some("1991"));
    let expected: Vec<String> = (1990..=2000).rev().map(|id| id.to_string()).collect();
    assert_eq!(read, expected, "nothing skipped, nothing read twice");
    assert_eq!(
        stored.as_deref(),
        Some("2000"),
        "then the newest id, for what comes next"
    );
    server.verify().await;

    let garbled = x
        .fetch_since(MENTIONS, Some("{not json"))
        .await
        .unwrap_err();
    assert!(matches!(garbled, NetworkError::Malformed(_)), "{garbled:?}");
}

#[tokio::test]
async fn the_next_sync_asks_only_for_newer_mentions() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .and(query_param("since_id", "1600"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "meta": { "result_count": 0 } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let page = network(&server, &clock)
        .fetch_since(MENTIONS, Some("1600"))
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(
        page.cursor.as_deref(),
        Some("1600"),
        "kept when nothing is new"
    );
    server.verify().await;
}

#[tokio::test]
async fn searches_follow_keywords_beyond_mentions_each_with_its_own_cursor() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .and(query_param("query", "\"kettle and crumb\" -is:retweet"))
        .and(query_param("since_id", "700"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                { "id": "900", "text": "anyone tried kettle and crumb?", "author_id": "5", "conversation_id": "900",
                  "created_at": "2026-06-10T09:00:00.000Z" },
                // Mentions the brand: it comes through the mentions stream instead.
                { "id": "901", "text": "@KettleCrumb kettle and crumb rocks", "author_id": "6", "conversation_id": "901",
                  "entities": { "mentions": [{ "start": 0, "end": 12, "username": "KettleCrumb", "id": ME }] } },
                // The brand's own post.
                { "id": "902", "text": "kettle and crumb news", "author_id": ME, "conversation_id": "902" }
            ],
            "includes": { "users": [user("5", "leo", "Leo Rossi")] },
            "meta": { "newest_id": "902", "result_count": 3 }
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .and(query_param("query", "#kettlecrumb"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "meta": { "result_count": 0 } })),
        )
        .expect(1)
        .mount(&server)
        .await;

    let network = network(&server, &clock).with_searches(vec![
        "\"kettle and crumb\" -is:retweet".into(),
        "#kettlecrumb".into(),
    ]);
    assert_eq!(network.streams(), [MENTIONS, DMS, SEARCHES]);
    let cursor = json!({ "\"kettle and crumb\" -is:retweet": "700", "#gone": "5" }).to_string();
    let page = network.fetch_since(SEARCHES, Some(&cursor)).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let hit = &page.items[0];
    assert_eq!(hit.kind, ConversationKind::SearchHit);
    assert_eq!(hit.message.remote_id, "900");
    assert_eq!(
        hit.subject.as_deref(),
        Some("search: \"kettle and crumb\" -is:retweet")
    );
    let next: Value = serde_json::from_str(page.cursor.as_deref().unwrap()).unwrap();
    assert_eq!(
        next,
        json!({ "\"kettle and crumb\" -is:retweet": "902" }),
        "each search moves on; searches no longer configured are dropped"
    );
    server.verify().await;
}

#[tokio::test]
async fn dm_events_are_paged_until_the_newest_stored_event() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    let event = |id: &str, sender: &str, text: &str| {
        json!({ "id": id, "event_type": "MessageCreate", "text": text, "sender_id": sender,
                "dm_conversation_id": format!("55-{ME}"), "created_at": "2026-06-10T09:00:00.000Z" })
    };
    Mock::given(method("GET"))
        .and(path("/2/dm_events"))
        .and(query_param("pagination_token", "P2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [event("300", "55", "second page"), event("200", "55", "already stored")],
            "meta": { "result_count": 2, "next_token": "P3" }
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/dm_events"))
        .and(query_param("event_types", "MessageCreate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [event("500", ME, "We are on it"), event("400", "55", "¿Dónde está mi pedido?"),
                     { "id": "450", "event_type": "ParticipantsJoin", "dm_conversation_id": "g1" }],
            "includes": { "users": [user("55", "layla", "Layla Haddad")] },
            "meta": { "result_count": 3, "next_token": "P2" }
        })))
        .mount(&server)
        .await;

    let page = network(&server, &clock)
        .fetch_since(DMS, Some("200"))
        .await
        .unwrap();
    let summary: Vec<(&str, Direction, &str)> = page
        .items
        .iter()
        .map(|i| {
            (
                i.message.remote_id.as_str(),
                i.message.direction,
                i.customer.handle.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("400", Direction::In, "@layla"),
            ("500", Direction::Out, "@layla"),
            ("300", Direction::In, "55"),
        ],
        "stops at the stored event; the brand's own message names the customer from the conversation id"
    );
    assert!(page.items.iter().all(|i| i.kind == ConversationKind::Dm));
    assert_eq!(
        page.items[1].message.author.handle, "@kettlecrumb",
        "the brand's own handle"
    );
    assert_eq!(page.items[0].root_remote_id, format!("55-{ME}"));
    assert_eq!(page.cursor.as_deref(), Some("500"));
    server.verify().await;
}

fn request(kind: ConversationKind, root: &str, in_reply_to: &str) -> ReplyRequest {
    ReplyRequest {
        kind,
        root_remote_id: root.into(),
        in_reply_to: Some(in_reply_to.into()),
        recipient: Some("55".into()),
        text: "Ships Monday 📦".into(),
        idempotency_key: "k".into(),
        attempt: 1,
        created_at: Utc::now(),
        customer_last_message_at: None,
    }
}

#[tokio::test]
async fn a_retried_reply_that_went_through_after_all_is_not_posted_twice() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    // The brand's timeline since the reply was written: the first attempt's post is there,
    // with the handle X put in front, next to another reply to the same post.
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/tweets")))
        .and(query_param("exclude", "retweets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                { "id": "1690", "text": "@minji Something else",
                  "referenced_tweets": [{ "type": "replied_to", "id": "1600" }] },
                { "id": "1701", "text": "@minji Ships Monday 📦",
                  "referenced_tweets": [{ "type": "replied_to", "id": "1600" }] }
            ],
            "meta": { "result_count": 2 }
        })))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "id": "1702", "text": "Ships Monday 📦" } })),
        )
        .expect(2)
        .mount(&server)
        .await;
    let x = network(&server, &clock);

    let mut retry = request(ConversationKind::Comment, "1590", "1600");
    retry.attempt = 2;
    let sent = x.reply(&retry).await.unwrap();
    assert_eq!(
        sent.remote_id, "1701",
        "the earlier attempt's post, not a second one"
    );

    // Not there (another post was answered): posted.
    let mut other = request(ConversationKind::Comment, "1590", "1650");
    other.attempt = 3;
    assert_eq!(x.reply(&other).await.unwrap().remote_id, "1702");
    // A first attempt posts without looking (two looks in all, two posts).
    let first = request(ConversationKind::Comment, "1590", "1600");
    assert_eq!(x.reply(&first).await.unwrap().remote_id, "1702");
    server.verify().await;
}

#[tokio::test]
async fn a_retried_dm_that_went_through_after_all_is_not_sent_twice() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    let written = Utc::now();
    let at = |minutes: i64| (written + chrono::Duration::minutes(minutes)).to_rfc3339();
    Mock::given(method("GET"))
        .and(path("/2/dm_conversations/with/55/dm_events"))
        .and(query_param("event_types", "MessageCreate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                // The customer saying the same words does not count; an old one of ours neither.
                { "id": "901", "event_type": "MessageCreate", "text": "Ships Monday 📦",
                  "sender_id": "55", "created_at": at(0) },
                { "id": "902", "event_type": "MessageCreate", "text": "Ships Monday 📦",
                  "sender_id": ME, "created_at": at(-90) },
                { "id": "903", "event_type": "MessageCreate", "text": "Ships Monday 📦",
                  "sender_id": ME, "created_at": at(0) }
            ],
            "meta": { "result_count": 3 }
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/dm_conversations/with/55/messages"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": { "dm_conversation_id": format!("55-{ME}"), "dm_event_id": "904" } })))
        .expect(1)
        .mount(&server)
        .await;
    let x = network(&server, &clock);
    let mut retry = request(ConversationKind::Dm, &format!("55-{ME}"), "900");
    retry.created_at = written;
    retry.attempt = 2;
    assert_eq!(x.reply(&retry).await.unwrap().remote_id, "903");
    // A first attempt sends without looking.
    retry.attempt = 1;
    assert_eq!(x.reply(&retry).await.unwrap().remote_id, "904");
    server.verify().await;
}

#[tokio::test]
async fn replies_likes_hiding_and_dms_follow_the_api() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer USER-TOKEN"))
        .and(body_json(
            json!({ "text": "Ships Monday 📦", "reply": { "in_reply_to_tweet_id": "1600" } }),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "id": "1700", "text": "Ships Monday 📦" } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/dm_conversations/with/55/messages"))
        .and(body_json(json!({ "text": "Ships Monday 📦" })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": { "dm_conversation_id": format!("55-{ME}"), "dm_event_id": "1585823814956482567" } })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/2/users/{ME}/likes")))
        .and(body_json(json!({ "tweet_id": "1600" })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "data": { "liked": true } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/2/users/{ME}/likes/1600")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "data": { "liked": false } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/2/tweets/1600/hidden"))
        .and(body_json(json!({ "hidden": true })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "data": { "hidden": true } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/dm_conversations/with/77/messages"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "data": { "dm_conversation_id": format!("77-{ME}"), "dm_event_id": "99" } })))
        .expect(1)
        .mount(&server)
        .await;

    let x = network(&server, &clock);
    let sent = x
        .reply(&request(ConversationKind::Comment, "1590", "1600"))
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "1700");
    let dm = x
        .reply(&request(ConversationKind::Dm, &format!("55-{ME}"), "400"))
        .await
        .unwrap();
    assert_eq!(dm.remote_id, "1585823814956482567");
    x.set_liked("1600", true).await.unwrap();
    x.set_liked("1600", false).await.unwrap();
    x.set_hidden("1600", true).await.unwrap();
    let message = x.send_direct_message("77", "Hello").await.unwrap();
    assert_eq!(message.remote_id, "99");
    assert_eq!(message.direction, Direction::Out);
    server.verify().await;
}

#[tokio::test]
async fn rate_limits_wait_for_their_reset_and_errors_keep_xs_words() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_me(&server).await;
    let reset = clock_reset(&clock, 600);
    // The window is used up by this answer: the next mentions call waits without asking.
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-rate-limit-limit", "450")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string())
                .set_body_json(json!({ "meta": { "result_count": 0 } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    // A 429 in plain text, as recorded, with the 24-hour user limit used up.
    let daily = clock_reset(&clock, 3600 * 5);
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("content-type", "text/plain")
                .insert_header("x-rate-limit-remaining", "10")
                .insert_header("x-rate-limit-reset", reset.to_string())
                .insert_header("x-user-limit-24hour-remaining", "0")
                .insert_header("x-user-limit-24hour-reset", daily.to_string())
                .set_body_string("Rate limit exceeded\n"),
        )
        .mount(&server)
        .await;
    // A problem answer (RFC 7807) naming what is wrong.
    Mock::given(method("PUT"))
        .and(path("/2/tweets/5/hidden"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "title": "Forbidden", "type": "about:blank", "status": 403,
            "detail": "You cannot hide replies to a post that is not yours." })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/2/users/{ME}/likes")))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>upstream</html>"))
        .mount(&server)
        .await;

    let x = network(&server, &clock);
    x.fetch_since(MENTIONS, None).await.unwrap();
    let waited = x.fetch_since(MENTIONS, None).await.unwrap_err();
    assert_eq!(
        waited,
        NetworkError::RateLimited {
            retry_after: None,
            reset_at: Utc.timestamp_opt(reset, 0).single()
        }
    );
    let refused = x
        .reply(&request(ConversationKind::Comment, "1", "1"))
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        NetworkError::RateLimited {
            retry_after: None,
            reset_at: Utc.timestamp_opt(daily, 0).single()
        },
        "the 24-hour user limit decides when a write may be tried again"
    );
    let hidden = x.set_hidden("5", true).await.unwrap_err();
    assert!(
        matches!(&hidden, NetworkError::Rejected(m) if m.contains("not yours")),
        "{hidden}"
    );
    let like = x.set_liked("5", true).await.unwrap_err();
    assert!(like.is_retryable(), "{like}");
    server.verify().await;
}

fn clock_reset(clock: &ManualClock, seconds: i64) -> i64 {
    use hark::clock::Clock;
    clock.now().timestamp() + seconds
}

#[tokio::test]
async fn an_expired_session_is_refreshed_and_kept_and_a_refused_refresh_says_sign_in_again() {
    let server = MockServer::start().await;
    let clock = clock();
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=OLD-REFRESH"))
        .and(body_string_contains("client_id=CLIENT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer", "expires_in": 7200, "access_token": "NEW-ACCESS",
            "scope": "tweet.read users.read offline.access", "refresh_token": "NEW-REFRESH" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .and(header("authorization", "Bearer NEW-ACCESS"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": { "id": ME, "username": "kettlecrumb" } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.session.json");
    let app = App {
        client_id: "CLIENT".into(),
        client_secret: None,
        authorize_url: format!("{}/i/oauth2/authorize", server.uri()),
        api_base: server.uri(),
        redirect_uri: "http://127.0.0.1:8765/callback".into(),
    };
    let expired = Session {
        access_token: "OLD-ACCESS".into(),
        refresh_token: Some("OLD-REFRESH".into()),
        expires_at: Some(Utc.with_ymd_and_hms(2026, 6, 10, 11, 0, 0).unwrap()),
    };
    let shared: SharedClock = Arc::new(clock.clone());
    let client = XClient::new(
        &server.uri(),
        Credentials::signed_in(app.clone(), Some(file.clone()), expired.clone()),
        Arc::clone(&shared),
    )
    .unwrap();
    let me = XNetwork::new(client, Arc::clone(&shared))
        .who_am_i()
        .await
        .unwrap();
    assert_eq!(me.handle, "@kettlecrumb");
    let kept = Session::load(&file).unwrap();
    assert_eq!(kept.access_token, "NEW-ACCESS");
    assert_eq!(
        kept.refresh_token.as_deref(),
        Some("NEW-REFRESH"),
        "X rotates refresh tokens"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // A refresh token X no longer takes: the account stops with a clear reason.
    let refused = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_request", "error_description": "Value passed for the token was invalid." })))
        .mount(&refused)
        .await;
    let client = XClient::new(
        &refused.uri(),
        Credentials::signed_in(
            App {
                api_base: refused.uri(),
                ..app
            },
            None,
            expired,
        ),
        Arc::clone(&shared),
    )
    .unwrap();
    let err = XNetwork::new(client, shared).who_am_i().await.unwrap_err();
    assert!(
        matches!(&err, NetworkError::Auth(m) if m.contains("accounts add x")),
        "{err}"
    );
}

/// The whole way a user goes: `hark accounts add x` with the code pasted, then `hark sync
/// --once`, the conversations listed, a reply sent from the command line.
#[tokio::test(flavor = "multi_thread")]
async fn accounts_add_x_then_sync_and_reply_from_the_command_line() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=PASTED-CODE"))
        .and(body_string_contains("code_verifier="))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "bearer", "expires_in": 7200, "access_token": "ACCESS-1",
            "scope": "tweet.read", "refresh_token": "REFRESH-1" })))
        .expect(1)
        .mount(&server)
        .await;
    mount_me(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "1600", "text": "@kettlecrumb is the café open today?", "author_id": "7",
                       "conversation_id": "1600", "created_at": "2026-06-10T10:00:00.000Z" }],
            "includes": { "users": [user("7", "minji", "Minji Kim")] },
            "meta": { "result_count": 1, "newest_id": "1600" }
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/dm_events"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "meta": { "result_count": 0 } })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer ACCESS-1"))
        .and(body_json(
            json!({ "text": "Open until 6pm!", "reply": { "in_reply_to_tweet_id": "1600" } }),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "data": { "id": "1700", "text": "Open until 6pm!" } })),
        )
        .expect(1)
        .mount(&server)
        .await;

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "agent = \"ana\"\n").unwrap();
    let (home_dir, config_file) = (home.path().to_owned(), config.clone());
    let hark = move |args: &[&str], stdin: &str| {
        let mut command = common::hark_in(&home_dir);
        command
            .arg("--config")
            .arg(&config_file)
            .arg("--db")
            .arg(home_dir.join("hark.db"))
            .args(args)
            .write_stdin(stdin.to_owned());
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "hark {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let uri = server.uri();
    let added = tokio::task::spawn_blocking(move || {
        hark(
            &[
                "accounts",
                "add",
                "x",
                "--client-id",
                "CLIENT",
                "--api-base",
                &uri,
            ],
            "PASTED-CODE\n",
        )
    })
    .await
    .unwrap();
    assert!(added.contains("code_challenge_method=S256"), "{added}");
    assert!(added.contains("offline.access"), "{added}");
    assert!(added.contains("Signed in to X as @kettlecrumb"), "{added}");
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains("network = \"x\""), "{written}");
    assert!(written.contains("client_id = \"CLIENT\""), "{written}");
    assert!(
        !written.contains("ACCESS-1"),
        "no token in the config: {written}"
    );
    let session = Session::load(&home.path().join("secrets/x-kettlecrumb.session.json")).unwrap();
    assert_eq!(session.refresh_token.as_deref(), Some("REFRESH-1"));

    let home_path = home.path().to_owned();
    let config_path = config.clone();
    let run = move |args: Vec<String>| {
        let mut command = common::hark_in(&home_path);
        command
            .arg("--config")
            .arg(&config_path)
            .arg("--db")
            .arg(home_path.join("hark.db"))
            .args(&args);
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "hark {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let listed = tokio::task::spawn_blocking(move || {
        run(vec!["sync".into(), "--once".into()]);
        let list: Value = serde_json::from_slice(&run(vec![
            "conversations".into(),
            "list".into(),
            "--json".into(),
        ]))
        .unwrap();
        let id = list["conversations"][0]["id"].to_string();
        run(vec![
            "reply".into(),
            id,
            "--text".into(),
            "Open until 6pm!".into(),
        ]);
        list
    })
    .await
    .unwrap();
    let first = &listed["conversations"][0];
    assert_eq!(first["network"], "x");
    assert_eq!(first["kind"], "mention");
    assert_eq!(first["customer"]["name"], "Minji Kim");
    server.verify().await;
}

#[test]
fn the_sign_in_answer_must_carry_our_state() {
    use hark::networks::x::auth;
    let app = App {
        client_id: "CLIENT".into(),
        client_secret: None,
        authorize_url: "https://x.com/i/oauth2/authorize".into(),
        api_base: "https://api.x.com".into(),
        redirect_uri: "http://127.0.0.1:8765/callback".into(),
    };
    let authorisation = auth::start(&app).unwrap();
    let page = reqwest::Url::parse(&authorisation.url).unwrap();
    let state = page
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    assert!(authorisation.url.contains("code_challenge_method=S256"));
    assert_eq!(
        auth::code_from(
            &format!("http://127.0.0.1:8765/callback?state={state}&code=abc"),
            &authorisation
        )
        .unwrap(),
        "abc"
    );
    assert_eq!(auth::code_from("  abc \n", &authorisation).unwrap(), "abc");
    let forged = auth::code_from(
        "http://127.0.0.1:8765/callback?state=other&code=abc",
        &authorisation,
    )
    .unwrap_err();
    assert!(forged.to_string().contains("state differs"), "{forged}");
    let denied = auth::code_from(
        "http://127.0.0.1:8765/callback?error=access_denied",
        &authorisation,
    )
    .unwrap_err();
    assert!(denied.to_string().contains("access_denied"), "{denied}");
}
