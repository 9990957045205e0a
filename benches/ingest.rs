#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! Sync ingest alone: mentions from a local fake X API v2 through the X connector and the sync
//! engine into a new database. Run with `cargo bench --bench ingest` (HARK_BENCH_INGEST sets
//! how many mentions; 100,000 by default).

mod support;

fn main() {
    let total = support::env_number(
        "HARK_BENCH_INGEST",
        if support::quick() { 2_000 } else { 100_000 },
    );
    let rate = support::fake_x::ingest_rate(total as u64);
    println!("sync ingest from a local fake X API: {total} mentions, {rate:.0} messages/s");
}
