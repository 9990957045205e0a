#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! Shared by the benchmarks: a realistic database filled through the sync's ingest path.
#![allow(dead_code)]

pub mod fake_x;
pub mod terminal;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hark::model::{
    ConversationKind, Direction, IncomingItem, NetworkKind, RemoteContact, RemoteMessage,
};
use hark::store::{NewAccount, Store};

const WORDS: &[&str] = &[
    "payment",
    "page",
    "order",
    "refund",
    "coffee",
    "delivery",
    "beans",
    "subscription",
    "decaf",
    "thanks",
    "broken",
    "late",
    "love",
    "price",
    "discount",
    "box",
    "grind",
    "espresso",
    "결제",
    "支付",
    "الدفع",
    "παραγγελία",
    "pago",
];

pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// `cargo bench` passes --bench; `cargo test --benches` does not: keep that run small.
pub fn quick() -> bool {
    !std::env::args().any(|arg| arg == "--bench")
}

/// The size asked for: HARK_BENCH_CONVERSATIONS (default 100,000, or 1,000 in a quick run) and
/// HARK_BENCH_MESSAGES_PER_CONVERSATION (default 10).
pub fn size() -> (usize, usize) {
    let conversations = env_number(
        "HARK_BENCH_CONVERSATIONS",
        if quick() { 1000 } else { 100_000 },
    );
    (
        conversations,
        env_number("HARK_BENCH_MESSAGES_PER_CONVERSATION", 10),
    )
}

fn item(conversation: usize, message: usize, per_conversation: usize) -> IncomingItem {
    let customer = RemoteContact {
        remote_id: format!("u{}", conversation % 20_000),
        handle: format!("customer{}", conversation % 20_000),
        name: Some(format!("Customer {}", conversation % 20_000)),
        avatar_url: None,
        bio: None,
        followers: Some((conversation % 5000) as i64),
        profile_url: None,
    };
    let outbound = message % 3 == 2;
    let text: Vec<&str> = (0..12)
        .map(|k| WORDS[(conversation * 7 + message * 13 + k * 5) % WORDS.len()])
        .collect();
    let step = (conversation * per_conversation + message) as i64;
    let at =
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(step * 7);
    IncomingItem {
        kind: [
            ConversationKind::Comment,
            ConversationKind::Mention,
            ConversationKind::Dm,
            ConversationKind::AdComment,
        ][conversation % 4],
        root_remote_id: format!("root-{conversation}"),
        subject: None,
        customer: customer.clone(),
        message: RemoteMessage {
            remote_id: format!("m-{conversation}-{message}"),
            parent_remote_id: None,
            direction: if outbound {
                Direction::Out
            } else {
                Direction::In
            },
            author: customer,
            text: text.join(" "),
            created_at: at,
            liked: false,
            hidden: None,
            raw: serde_json::json!({ "id": format!("m-{conversation}-{message}") }).into(),
        },
    }
}

/// Fills a new database at `path`; answers the account id and how long ingest took.
pub fn fill(path: &Path, conversations: usize, per_conversation: usize) -> (i64, Duration) {
    let mut store = Store::open(path).expect("open the database");
    let account = store
        .upsert_account(
            &NewAccount {
                name: "bench".into(),
                network: NetworkKind::Demo,
                handle: "@bench".into(),
                remote_id: None,
                display_name: None,
                credentials_ref: None,
            },
            0,
        )
        .expect("account");
    // Pages as a network delivers them: new activity spread over many conversations.
    let page_size = 1000;
    let started = Instant::now();
    let mut page = Vec::with_capacity(page_size);
    for message in 0..per_conversation {
        for conversation in 0..conversations {
            page.push(item(conversation, message, per_conversation));
            if page.len() == page_size {
                store
                    .ingest(account, NetworkKind::Demo, "bench", &page, Some("c"), 0)
                    .expect("ingest");
                page.clear();
            }
        }
    }
    if !page.is_empty() {
        store
            .ingest(account, NetworkKind::Demo, "bench", &page, Some("c"), 0)
            .expect("ingest");
    }
    (account, started.elapsed())
}

/// A filled database kept under target/ between runs, so that only the first run pays for it.
pub fn cached(conversations: usize, per_conversation: usize) -> (PathBuf, i64) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/hark-bench");
    std::fs::create_dir_all(&dir).expect("bench folder");
    let path = dir.join(format!("inbox-{conversations}x{per_conversation}.db"));
    let ready = dir.join(format!("inbox-{conversations}x{per_conversation}.ready"));
    if !ready.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        eprintln!(
            "filling {} ({conversations} conversations)…",
            path.display()
        );
        fill(&path, conversations, per_conversation);
        std::fs::write(&ready, "").expect("mark the database ready");
    }
    let store = Store::open(&path).expect("open");
    let account = store
        .account_by_name("bench")
        .expect("query")
        .expect("account")
        .id;
    (path, account)
}

pub fn sorted(mut samples: Vec<Duration>) -> Vec<Duration> {
    samples.sort();
    samples
}

pub fn median(samples: &[Duration]) -> f64 {
    ms(samples[samples.len() / 2])
}

pub fn p99(samples: &[Duration]) -> f64 {
    let index = ((samples.len() as f64 - 1.0) * 0.99).round() as usize;
    ms(samples[index])
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

pub fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> Vec<Duration> {
    sorted(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(work());
                start.elapsed()
            })
            .collect(),
    )
}

/// Adds saved replies to the database until it has `count` (for the `##` picker).
pub fn ensure_saved_replies(path: &Path, count: usize) {
    let mut store = Store::open(path).expect("open");
    let have = store.saved_replies().expect("saved replies").len();
    for i in have..count {
        let word = |k: usize| WORDS[(i * 7 + k * 11) % WORDS.len()];
        let body: Vec<&str> = (0..40).map(word).collect();
        store
            .add_saved_reply(
                &hark::store::SavedReplyDraft {
                    title: format!("{} {} {} #{i}", word(0), word(1), word(2)),
                    body: format!("Hi {{first_name}}, {}.", body.join(" ")),
                    shortcut: (i % 3 == 0).then(|| format!("{}{i}", word(3))),
                    tags: Vec::new(),
                },
                0,
            )
            .expect("add a saved reply");
    }
}

/// The bench account as the inbox knows it.
pub fn bench_accounts(account: i64) -> std::collections::BTreeMap<i64, hark::app::AccountInfo> {
    std::collections::BTreeMap::from([(
        account,
        hark::app::AccountInfo {
            name: "bench".into(),
            display_name: None,
            network: NetworkKind::Demo,
            reply_limit: 5000,
            reply_unit: hark::networks::LengthUnit::Characters,
            signatures: true,
            signature: None,
            can_hide: false,
            dm_window: None,
            private_reply: None,
        },
    )])
}
