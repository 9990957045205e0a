#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! Fills a database with 100k conversations / 1M messages through the same ingest path the
//! sync uses, then times what the inbox does first: a folder page, deep pages, the folder
//! counts and a search. Run with `cargo bench --bench store_fill`.

mod support;

use std::time::Instant;

use hark::model::Folder;
use hark::store::{PageCursor, Store};
use support::{median, ms, p99, time};

fn main() {
    let (conversations, per_conversation) = support::size();
    let total = conversations * per_conversation;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("bench.db");
    let (account, ingest) = support::fill(&path, conversations, per_conversation);
    let rate = total as f64 / ingest.as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("bench.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);

    // A new connection, as a freshly started inbox would have.
    let cold_start = Instant::now();
    let store = Store::open(&path).expect("reopen");
    let first_page = store
        .folder_page(&Folder::Open, PageCursor::START, 100)
        .expect("first page");
    let cold = cold_start.elapsed();
    assert_eq!(first_page.len(), 100.min(conversations));

    let warm = time(50, || {
        store.folder_page(&Folder::Open, PageCursor::START, 100)
    });
    let deep_cursor = store
        .folder_page(&Folder::Open, PageCursor::START, conversations / 2)
        .expect("walk")
        .last()
        .map(|row| row.cursor())
        .unwrap_or(PageCursor::START);
    let deep = time(50, || store.folder_page(&Folder::Open, deep_cursor, 100));
    let counts = time(10, || store.folder_counts("ana"));
    let account_page = time(50, || {
        store.folder_page(&Folder::Account(account), PageCursor::START, 100)
    });
    let search = time(20, || store.search("refund espresso", 50));

    println!("hark store benchmark: {conversations} conversations, {total} messages");
    println!("  database size            {:>10.1} MB", size as f64 / 1e6);
    println!(
        "  ingest                   {:>10.0} messages/s ({:.1} s)",
        rate,
        ingest.as_secs_f64()
    );
    println!(
        "  first page, cold         {:>10.2} ms (open + 100 rows)",
        ms(cold)
    );
    println!(
        "  first page, warm         {:>10.3} ms median, {:.3} ms p99",
        median(&warm),
        p99(&warm)
    );
    println!(
        "  page at the middle       {:>10.3} ms median, {:.3} ms p99",
        median(&deep),
        p99(&deep)
    );
    println!(
        "  account folder page      {:>10.3} ms median",
        median(&account_page)
    );
    println!(
        "  folder counts            {:>10.3} ms median",
        median(&counts)
    );
    println!(
        "  search (2 words)         {:>10.3} ms median",
        median(&search)
    );
}
