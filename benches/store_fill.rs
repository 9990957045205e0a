#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! Fills a database with 100k conversations / 1M messages through the same ingest path the
//! sync uses, then times what the inbox does first: a folder page, deep pages, the folder
//! counts and a search. Run with `cargo bench --bench store_fill`; the size can be changed with
//! HARK_BENCH_CONVERSATIONS and HARK_BENCH_MESSAGES_PER_CONVERSATION.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hark::model::{
    ConversationKind, Direction, Folder, IncomingItem, NetworkKind, RemoteContact, RemoteMessage,
};
use hark::store::{NewAccount, PageCursor, Store};

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

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
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
    let minute = (conversation * per_conversation + message) as i64;
    let at =
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(minute * 7);
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
            raw: serde_json::json!({ "id": format!("m-{conversation}-{message}") }),
        },
    }
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed()
        })
        .collect()
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: keep that run quick.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let conversations = env_number(
        "HARK_BENCH_CONVERSATIONS",
        if quick { 1000 } else { 100_000 },
    );
    let per_conversation = env_number("HARK_BENCH_MESSAGES_PER_CONVERSATION", 10);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("bench.db");
    let mut store = Store::open(&path).expect("open the database");
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

    // Pages as a network would deliver them: newest activity spread over many conversations.
    let total = conversations * per_conversation;
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
    let ingest = started.elapsed();
    let rate = total as f64 / ingest.as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("bench.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    drop(store);

    // A new connection, as a freshly started inbox would have.
    let cold_start = Instant::now();
    let store = Store::open(&path).expect("reopen");
    let first_page = store
        .folder_page(&Folder::Open, PageCursor::START, 100)
        .expect("first page");
    let cold = cold_start.elapsed();
    assert_eq!(first_page.len(), 100.min(conversations));

    let mut warm = time(50, || {
        store.folder_page(&Folder::Open, PageCursor::START, 100)
    });
    let deep_cursor = store
        .folder_page(&Folder::Open, PageCursor::START, conversations / 2)
        .expect("walk")
        .last()
        .map(|row| row.cursor())
        .unwrap_or(PageCursor::START);
    let mut deep = time(50, || store.folder_page(&Folder::Open, deep_cursor, 100));
    let mut counts = time(10, || store.folder_counts("ana"));
    let mut account_page = time(50, || {
        store.folder_page(&Folder::Account(account), PageCursor::START, 100)
    });
    let mut search = time(20, || store.search("refund espresso", 50));

    println!("hark store benchmark: {conversations} conversations, {total} messages");
    println!("  database size            {:>10.1} MB", size as f64 / 1e6);
    println!(
        "  ingest                   {:>10.0} messages/s ({:.1} s)",
        rate,
        ingest.as_secs_f64()
    );
    println!(
        "  first page, cold         {:>10.2} ms (open + 100 rows)",
        cold.as_secs_f64() * 1e3
    );
    println!(
        "  first page, warm         {:>10.3} ms median, {:.3} ms p99",
        ms(median(&mut warm)),
        ms(percentile(&mut warm, 0.99))
    );
    println!(
        "  page at the middle       {:>10.3} ms median, {:.3} ms p99",
        ms(median(&mut deep)),
        ms(percentile(&mut deep, 0.99))
    );
    println!(
        "  account folder page      {:>10.3} ms median",
        ms(median(&mut account_page))
    );
    println!(
        "  folder counts            {:>10.3} ms median",
        ms(median(&mut counts))
    );
    println!(
        "  search (2 words)         {:>10.3} ms median",
        ms(median(&mut search))
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
