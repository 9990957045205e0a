#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Contract tests for X, read at test time from HARK_FIXTURES (CI sets it to
//! ../shared/fixtures): tweepy's recordings of the real X API v2 are replayed to hark's X
//! client, X's Postman examples go through its parsers, and every request hark makes is
//! checked against X's official OpenAPI description (path, method, query parameters and their
//! allowed values, JSON body fields). Without HARK_FIXTURES these tests say so and check
//! nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use hark::clock::{ManualClock, SharedClock};
use hark::config::Secret;
use hark::model::{ConversationKind, Direction};
use hark::networks::x::api::{Credentials, XClient, error_for};
use hark::networks::x::parse::{PostsPage, dm_items, tweet_items};
use hark::networks::x::{DMS, MENTIONS, SEARCHES, XNetwork};
use hark::networks::{Network, NetworkError, ReplyRequest};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn fixtures() -> Option<PathBuf> {
    match std::env::var_os("HARK_FIXTURES") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            eprintln!("HARK_FIXTURES is not set: skipping the X contract tests");
            None
        }
    }
}

fn read(root: &Path, relative: &str) -> Value {
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

const TWEEPY: &str = "tweepy/decoded";
/// The account tweepy's recordings were made with.
const RECORDED_ME: &str = "1072250532645998596";

fn headers_of(recorded: &Value) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in recorded.as_object().into_iter().flatten() {
        if let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(name.as_bytes()),
            value.as_str().map(HeaderValue::from_str),
        ) {
            headers.insert(name, value);
        }
    }
    headers
}

/// A recorded answer as a fake server's answer (status, headers, body).
fn replay(response: &Value) -> ResponseTemplate {
    let mut template = ResponseTemplate::new(response["status"].as_u64().unwrap() as u16);
    for (name, value) in response["headers"].as_object().into_iter().flatten() {
        if name != "content-length"
            && let Some(value) = value.as_str()
        {
            template = template.insert_header(name.as_str(), value);
        }
    }
    match &response["body"] {
        Value::String(text) => template.set_body_string(text.clone()),
        Value::Null => template,
        body => template.set_body_json(body.clone()),
    }
}

/// Serves every recording of a tweepy cassette at its own method and path.
async fn serve(server: &MockServer, root: &Path, cassette: &str) {
    for interaction in read(root, &format!("{TWEEPY}/{cassette}"))
        .as_array()
        .unwrap()
    {
        let url = reqwest::Url::parse(interaction["request"]["uri"].as_str().unwrap()).unwrap();
        Mock::given(method(interaction["request"]["method"].as_str().unwrap()))
            .and(path(url.path()))
            .respond_with(replay(&interaction["response"]))
            .mount(server)
            .await;
    }
}

fn network(server: &MockServer) -> XNetwork {
    let clock: SharedClock = Arc::new(ManualClock::new(Utc::now()));
    let client = XClient::new(
        &server.uri(),
        Credentials::Fixed(Secret::new("TOKEN".into())),
        Arc::clone(&clock),
    )
    .unwrap();
    XNetwork::new(client, clock)
}

#[tokio::test]
async fn recorded_mentions_me_and_dm_lookups_replay_through_the_client() {
    let Some(root) = fixtures() else { return };
    let server = MockServer::start().await;
    serve(&server, &root, "test_client_get_me.json").await;
    serve(&server, &root, "test_asyncclient_get_users_mentions.json").await;
    // The mentions were recorded for user 783214; hark asks for its own id.
    let mentions = read(
        &root,
        &format!("{TWEEPY}/test_asyncclient_get_users_mentions.json"),
    );
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{RECORDED_ME}/mentions")))
        .and(wiremock::matchers::query_param_is_missing(
            "pagination_token",
        ))
        .respond_with(replay(&mentions[0]["response"]))
        .mount(&server)
        .await;
    // Its next page (the recording has a next_token) holds nothing more.
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{RECORDED_ME}/mentions")))
        .and(wiremock::matchers::query_param(
            "pagination_token",
            mentions[0]["response"]["body"]["meta"]["next_token"]
                .as_str()
                .unwrap(),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "meta": { "result_count": 0 } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    serve(
        &server,
        &root,
        "test_asyncclient_manage_and_lookup_direct_messages.json",
    )
    .await;
    let x = network(&server);
    let me = x.who_am_i().await.unwrap();
    assert_eq!(me.handle, "@TweepyDev");
    assert_eq!(me.remote_id, RECORDED_ME);
    // A pass: its pages, each saying where the next begins.
    let mut page = x.fetch_since(MENTIONS, None).await.unwrap();
    let mut items = page.items.clone();
    while let Some(resume) = page.resume.clone() {
        page = x.fetch_since(MENTIONS, Some(&resume)).await.unwrap();
        items.extend(page.items.clone());
    }
    assert!(items.len() >= 2, "{items:?}");
    assert!(items.iter().all(|i| i.kind == ConversationKind::Mention));
    assert!(items.iter().any(|i| i.message.text.contains("#immigrants")));
    let dms = x.fetch_since(DMS, None).await.unwrap();
    assert!(
        dms.items.is_empty(),
        "the recorded account had no DM events"
    );
}

#[tokio::test]
async fn recorded_write_answers_are_understood() {
    let Some(root) = fixtures() else { return };
    let server = MockServer::start().await;
    serve(&server, &root, "test_client_get_me.json").await;
    serve(&server, &root, "test_client_create_and_delete_tweet.json").await;
    serve(&server, &root, "test_client_like_and_unlike.json").await;
    serve(&server, &root, "test_client_hide_and_unhide_reply.json").await;
    serve(
        &server,
        &root,
        "test_asyncclient_manage_and_lookup_direct_messages.json",
    )
    .await;
    let x = network(&server);
    let request = |kind, root: &str| ReplyRequest {
        kind,
        root_remote_id: root.into(),
        in_reply_to: None,
        recipient: Some("750362064426721281".into()),
        text: "Test Tweet".into(),
        idempotency_key: "k".into(),
        attempt: 1,
        created_at: Utc::now(),
        customer_last_message_at: None,
    };
    let sent = x
        .reply(&request(ConversationKind::Mention, "1"))
        .await
        .unwrap();
    assert_eq!(sent.remote_id, "1456012973835788293");
    x.set_liked("1293593516040269825", true).await.unwrap();
    x.set_liked("1293593516040269825", false).await.unwrap();
    x.set_hidden("1344794616005066752", true).await.unwrap();
    x.set_hidden("1344794616005066752", false).await.unwrap();
    let dm = x
        .reply(&request(
            ConversationKind::Dm,
            "750362064426721281-1072250532645998596",
        ))
        .await
        .unwrap();
    assert_eq!(dm.remote_id, "1585823814058971140");
    let direct = x
        .send_direct_message("750362064426721281", "hi")
        .await
        .unwrap();
    assert_eq!(direct.remote_id, "1585823814058971140");
}

#[test]
fn recorded_dm_events_without_extra_fields_still_make_messages() {
    let Some(root) = fixtures() else { return };
    let cassette = read(
        &root,
        &format!("{TWEEPY}/test_asyncclient_manage_and_lookup_direct_messages.json"),
    );
    let lookups: Vec<&Value> = cassette
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["request"]["method"] == "GET")
        .map(|i| &i["response"]["body"])
        .collect();
    let with_events = lookups
        .iter()
        .find(|body| body["data"].is_array())
        .expect("a recorded DM lookup with events");
    let items = dm_items(with_events, RECORDED_ME, Utc::now());
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i.kind == ConversationKind::Dm));
    assert_eq!(items[0].message.text, "Testing 1", "oldest first");
}

#[test]
fn postman_search_and_lookup_examples_parse_and_errors_read() {
    let Some(root) = fixtures() else { return };
    let examples = read(
        &root,
        "postman-twitter-api/extracted/tweet_lookup_and_recent_search_examples.json",
    );
    let mut parsed = 0;
    let mut limited = 0;
    let mut partial = 0;
    for example in examples.as_array().unwrap() {
        let response = &example["response"];
        let status = StatusCode::from_u16(response["status"].as_u64().unwrap() as u16).unwrap();
        let body = &response["body"];
        if status.is_success() {
            // Search answers are lists; a single lookup's `data` is one post.
            let answer = match &body["data"] {
                Value::Object(_) => {
                    json!({ "data": [body["data"].clone()], "includes": body["includes"] })
                }
                _ => body.clone(),
            };
            // Read from the answer's text, as the connector reads it.
            let page = PostsPage::from_json(&serde_json::to_vec(&answer).unwrap()).unwrap();
            let items = tweet_items(page, "nobody", None, Utc::now(), |_| {
                Some(ConversationKind::SearchHit)
            });
            let posts = answer["data"].as_array().map_or(0, Vec::len);
            let reposts = answer["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| hark::networks::x::parse::Post::from_value(t).is_repost())
                .count();
            assert!(
                items.len() >= posts - reposts,
                "{}",
                example["example_name"]
            );
            assert!(items.iter().all(|i| i.message.direction == Direction::In));
            parsed += 1;
            partial += usize::from(body["errors"].is_array() && body["data"].is_array());
        } else {
            let bytes = match body {
                Value::String(text) => text.clone().into_bytes(),
                other => serde_json::to_vec(other).unwrap(),
            };
            let headers = headers_of(&response["headers"]);
            let error = error_for(status, &headers, &bytes, Utc::now());
            match status.as_u16() {
                429 => {
                    assert!(matches!(error, NetworkError::RateLimited { .. }), "{error}");
                    limited += 1;
                }
                400 => {
                    assert!(
                        matches!(&error, NetworkError::Rejected(m) if m.len() > 20),
                        "the problem's detail is kept: {error}"
                    );
                }
                _ => {}
            }
        }
    }
    assert!(
        parsed >= 15 && limited >= 2 && partial >= 1,
        "{parsed} {limited} {partial}"
    );
}

/// Everything hark asks of X, made against a fake that answers anything, then checked against
/// the OpenAPI description.
#[tokio::test]
async fn every_request_hark_makes_is_one_the_openapi_description_allows() {
    let Some(root) = fixtures() else { return };
    let spec = read(&root, "x-openapi/latest-openapi.json");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "data": { "id": RECORDED_ME, "username": "brand", "name": "Brand" } }),
        ))
        .mount(&server)
        .await;
    Mock::given(path_regex(".*"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": { "id": "1", "dm_event_id": "2", "dm_conversation_id": "a-b", "liked": true, "hidden": true },
            "meta": { "result_count": 0 }
        })))
        .mount(&server)
        .await;
    let x = network(&server).with_searches(vec!["#brand -is:retweet".into()]);
    x.fetch_since(MENTIONS, Some("5")).await.unwrap();
    x.fetch_since(DMS, Some("5")).await.unwrap();
    x.fetch_since(SEARCHES, None).await.unwrap();
    let reply = |kind, root: &str| ReplyRequest {
        kind,
        root_remote_id: root.into(),
        in_reply_to: Some("9".into()),
        recipient: Some("7".into()),
        text: "hi".into(),
        idempotency_key: "k".into(),
        attempt: 1,
        created_at: Utc::now(),
        customer_last_message_at: None,
    };
    x.reply(&reply(ConversationKind::Mention, "9"))
        .await
        .unwrap();
    x.reply(&reply(ConversationKind::Dm, "7-8")).await.unwrap();
    x.reply(&reply(ConversationKind::Dm, "1582838"))
        .await
        .unwrap();
    x.set_liked("9", true).await.unwrap();
    x.set_liked("9", false).await.unwrap();
    x.set_hidden("9", true).await.unwrap();
    x.send_direct_message("7", "hi").await.unwrap();
    x.profile("7").await.unwrap();
    x.check_access().await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert!(requests.len() >= 12, "{}", requests.len());
    let mut problems = Vec::new();
    for request in &requests {
        if let Err(problem) = check_request(&spec, request) {
            problems.push(format!("{} {}: {problem}", request.method, request.url));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn resolve<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str() {
        Some(reference) => {
            let mut target = spec;
            for part in reference.trim_start_matches("#/").split('/') {
                target = &target[part];
            }
            resolve(spec, target)
        }
        None => node,
    }
}

/// The properties an object schema allows, through `allOf`, `oneOf` and `anyOf`.
fn properties<'a>(spec: &'a Value, schema: &'a Value, into: &mut Vec<(&'a str, &'a Value)>) {
    let schema = resolve(spec, schema);
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        into.push((name.as_str(), property));
    }
    for combinator in ["allOf", "oneOf", "anyOf"] {
        for member in schema[combinator].as_array().into_iter().flatten() {
            properties(spec, member, into);
        }
    }
}

fn check_body(spec: &Value, schema: &Value, body: &Value, at: &str) -> Result<(), String> {
    let Some(object) = body.as_object() else {
        return Ok(());
    };
    let mut allowed = Vec::new();
    properties(spec, schema, &mut allowed);
    for (key, value) in object {
        let Some((_, property)) = allowed.iter().find(|(name, _)| name == key) else {
            return Err(format!("body field {at}{key} is not in the request schema"));
        };
        check_body(spec, property, value, &format!("{at}{key}."))?;
    }
    Ok(())
}

fn check_request(spec: &Value, request: &Request) -> Result<(), String> {
    let request_path = request.url.path();
    let (template, item) = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(template, _)| {
            let wanted: Vec<&str> = template.split('/').collect();
            let given: Vec<&str> = request_path.split('/').collect();
            wanted.len() == given.len()
                && wanted
                    .iter()
                    .zip(&given)
                    .all(|(w, g)| w.starts_with('{') || w == g)
        })
        // A literal segment beats a parameter ("/with/{id}" over "/{id}").
        .min_by_key(|(template, _)| template.matches('{').count())
        .ok_or("no such path in the description")?;
    let operation = &item[request.method.as_str().to_lowercase()];
    if operation.is_null() {
        return Err(format!("{template} has no {}", request.method));
    }
    let parameters: Vec<&Value> = item["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(operation["parameters"].as_array().into_iter().flatten())
        .map(|p| resolve(spec, p))
        .collect();
    for (name, value) in request.url.query_pairs() {
        let declared = parameters
            .iter()
            .find(|p| p["in"] == "query" && p["name"] == name.as_ref())
            .ok_or_else(|| format!("query parameter {name} is not declared for {template}"))?;
        let schema = resolve(spec, &declared["schema"]);
        if let Some(allowed) = resolve(spec, &schema["items"])["enum"].as_array() {
            for item in value.split(',') {
                if !allowed.iter().any(|a| a == item) {
                    return Err(format!("{name} does not allow '{item}'"));
                }
            }
        }
        if schema["type"] == "integer" {
            let number: i64 = value
                .parse()
                .map_err(|_| format!("{name} is not a number"))?;
            let low = schema["minimum"].as_i64().unwrap_or(i64::MIN);
            let high = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            if !(low..=high).contains(&number) {
                return Err(format!("{name}={number} is outside {low}..={high}"));
            }
        }
    }
    if !request.body.is_empty() {
        let body: Value = serde_json::from_slice(&request.body).map_err(|e| e.to_string())?;
        let schema =
            &resolve(spec, &operation["requestBody"])["content"]["application/json"]["schema"];
        if schema.is_null() {
            return Err(format!("{template} takes no JSON body"));
        }
        check_body(spec, schema, &body, "")?;
    }
    Ok(())
}
