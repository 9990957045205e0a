//! Ingest from a local fake of the X API v2 (a wiremock server answering like X: mentions newest
//! first, 100 a page, `pagination_token` to the next page, `until_id` for older ones, `since_id`
//! for what is new), through the X connector and the sync engine into a new database — HTTP,
//! JSON, parsing and the store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hark::clock::{SharedClock, SystemClock};
use hark::config::Secret;
use hark::model::NetworkKind;
use hark::networks::x::XNetwork;
use hark::networks::x::api::{Credentials, XClient};
use hark::store::{NewAccount, Store};
use hark::sync::{StoreCell, SyncAccount, SyncEngine};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ME: &str = "100";
/// Post ids are numbers of one length, as X's are.
const FIRST_ID: u64 = 1_800_000_000_000_000_000;
/// Posts a page, and pages a sync reads (the connector's own limit).
const PAGE: u64 = 100;
const PAGES_PER_SYNC: u64 = 5;
/// Posts of one thread (one conversation).
const PER_THREAD: u64 = 10;
const WORDS: &[&str] = &[
    "payment",
    "order",
    "refund",
    "coffee",
    "delivery",
    "beans",
    "late",
    "love",
    "결제",
    "支付",
    "الدفع",
    "pago",
    "espresso",
    "thanks",
    "broken",
    "box",
];

/// X's mentions: post n (1-based) is id FIRST_ID + n, all of them new to hark (a first sync of
/// a backlog). A query answers the posts below `until_id` (all, without one) and above
/// `since_id`, newest first, 100 a page, `pagination_token` naming the page; hark reads five
/// pages a pass and the next pass goes on below the oldest it read. Every answer is made
/// before the clock starts, so that the fake's own work (it shares the machine) is not counted
/// as hark's.
struct Mentions {
    total: u64,
    /// By (the newest post a query can answer, page).
    answers: std::collections::HashMap<(u64, u64), Vec<u8>>,
}

impl Mentions {
    fn new(total: u64) -> Mentions {
        let mut answers = std::collections::HashMap::new();
        let mut top = total;
        while top > 0 {
            for page in 0..PAGES_PER_SYNC {
                let body = answer(top, page);
                answers.insert((top, page), serde_json::to_vec(&body).unwrap_or_default());
            }
            top = top.saturating_sub(PAGE * PAGES_PER_SYNC);
        }
        Mentions { total, answers }
    }
}

impl Respond for Mentions {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: std::collections::HashMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        let id = |name: &str| {
            query
                .get(name)
                .and_then(|id| id.parse::<u64>().ok())
                .map(|id| id - FIRST_ID)
        };
        let top = id("until_id").map_or(self.total, |until| until - 1);
        let page = query
            .get("pagination_token")
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        // Everything is older than what a later pass asks for since.
        let nothing_newer = id("since_id").is_some_and(|since| since >= top);
        match self.answers.get(&(top, page)) {
            Some(body) if !nothing_newer => {
                ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json")
            }
            _ => ResponseTemplate::new(200).set_body_json(json!({ "meta": { "result_count": 0 } })),
        }
    }
}

/// One page of a query whose newest possible post is `top`: newest first, 100 a page.
fn answer(top: u64, page: u64) -> Value {
    let high = top.saturating_sub(page * PAGE);
    let low = high.saturating_sub(PAGE);
    let data: Vec<Value> = (low + 1..=high).rev().map(post).collect();
    let users: Vec<Value> = (low + 1..=high).map(|n| user(author(n))).collect();
    let mut meta = json!({ "result_count": data.len() });
    if let (Some(newest), Some(oldest)) = (data.first(), data.last()) {
        meta["newest_id"] = newest["id"].clone();
        meta["oldest_id"] = oldest["id"].clone();
    }
    if low > 0 {
        meta["next_token"] = json!((page + 1).to_string());
    }
    json!({ "data": data, "includes": { "users": users }, "meta": meta })
}

fn author(n: u64) -> u64 {
    1000 + (n - 1) / PER_THREAD % 20_000
}

fn user(id: u64) -> Value {
    json!({ "id": id.to_string(), "name": format!("Customer {id}"), "username": format!("customer{id}"),
            "public_metrics": { "followers_count": id % 5000 } })
}

fn post(n: u64) -> Value {
    let thread = FIRST_ID + (n - 1) / PER_THREAD * PER_THREAD + 1;
    let text: Vec<&str> = (0..12)
        .map(|k| WORDS[((n * 7 + k * 5) % WORDS.len() as u64) as usize])
        .collect();
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        + chrono::Duration::seconds(n as i64 * 7);
    let mut post = json!({
        "id": (FIRST_ID + n).to_string(),
        "text": format!("@bench {}", text.join(" ")),
        "author_id": author(n).to_string(),
        "conversation_id": thread.to_string(),
        "created_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "lang": "en",
        "edit_history_tweet_ids": [(FIRST_ID + n).to_string()],
        "public_metrics": { "retweet_count": 0, "reply_count": 0, "like_count": n % 3, "quote_count": 0 },
    });
    if FIRST_ID + n != thread {
        post["in_reply_to_user_id"] = json!(ME);
        post["referenced_tweets"] =
            json!([{ "type": "replied_to", "id": (FIRST_ID + n - 1).to_string() }]);
    }
    post
}

/// Messages per second stored from `total` mentions fetched from the fake.
pub fn ingest_rate(total: u64) -> f64 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(method("GET"))
            .and(path("/2/users/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({ "data": { "id": ME, "name": "Bench", "username": "bench" } }),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/2/users/{ME}/mentions")))
            .respond_with(Mentions::new(total))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().expect("a folder");
        let db = dir.path().join("ingest.db");
        let mut store = Store::open(&db).expect("open");
        let account_id = store
            .upsert_account(
                &NewAccount {
                    name: "bench-x".into(),
                    network: NetworkKind::X,
                    handle: "@bench".into(),
                    remote_id: Some(ME.into()),
                    display_name: None,
                    credentials_ref: None,
                },
                0,
            )
            .expect("account");
        drop(store);
        let clock: SharedClock = Arc::new(SystemClock);
        let client = XClient::new(
            &server.uri(),
            Credentials::Fixed(Secret::new("BENCH-TOKEN".into())),
            Arc::clone(&clock),
        )
        .expect("client");
        let network = XNetwork::new(client, Arc::clone(&clock)).with_dms(false);
        let account = SyncAccount {
            account_id,
            name: "bench-x".into(),
            network: Arc::new(network),
            interval: Duration::from_secs(60),
        };
        let (events, _ignored) = tokio::sync::mpsc::unbounded_channel();
        let engine = SyncEngine::new(StoreCell::new(db.clone()), clock, events);
        let started = Instant::now();
        let mut stored = 0;
        while stored < total as usize {
            let pass = engine.sync_once(&account).await.expect("sync");
            if pass.new_messages == 0 {
                break;
            }
            stored += pass.new_messages;
        }
        let elapsed = started.elapsed();
        assert_eq!(stored, total as usize, "every mention stored");
        stored as f64 / elapsed.as_secs_f64()
    })
}
