#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! hark's performance targets, measured on a 100k-conversation / 1M-message database, and
//! printed as one table: start to a painted inbox (the real binary in a pseudo-terminal), key
//! to frame (the inbox on a test backend), search, ingest from a local fake X API through the
//! sync engine, and peak memory. Run with `cargo bench --bench targets` (a few minutes the
//! first time, while the database is filled; it is kept under target/ for later runs).

mod support;

use std::time::{Duration, Instant};

use hark::app::Pane;
use hark::app::keymap::Keymap;
use hark::runtime::harness::Harness;
use hark::store::Store;
use support::{median, p99, sorted};

/// One line of the table.
struct Row {
    measure: String,
    result: String,
    target: String,
    met: bool,
}

struct Table(Vec<Row>);

impl Table {
    fn add(&mut self, measure: &str, result: String, target: &str, met: bool) {
        self.0.push(Row {
            measure: measure.into(),
            result,
            target: target.into(),
            met,
        });
    }

    /// A latency row: median and p99, judged on `judged` against `limit_ms`.
    fn latency(&mut self, measure: &str, samples: &[Duration], judge_p99: bool, limit_ms: f64) {
        let (m, p) = (median(samples), p99(samples));
        let judged = if judge_p99 { p } else { m };
        let which = if judge_p99 { "p99" } else { "median" };
        self.add(
            measure,
            format!("{m:.2} ms median, {p:.2} ms p99"),
            &format!("{which} ≤ {limit_ms} ms"),
            judged <= limit_ms,
        );
    }

    fn print(&self) {
        let width = |f: fn(&Row) -> &str, title: &str| {
            self.0
                .iter()
                .map(|r| f(r).chars().count())
                .chain([title.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let (wm, wr, wt) = (
            width(|r| &r.measure, "measure"),
            width(|r| &r.result, "result"),
            width(|r| &r.target, "target"),
        );
        let pad =
            |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
        println!();
        println!(
            "| {} | {} | {} | met |",
            pad("measure", wm),
            pad("result", wr),
            pad("target", wt)
        );
        println!(
            "|{}|{}|{}|-----|",
            "-".repeat(wm + 2),
            "-".repeat(wr + 2),
            "-".repeat(wt + 2)
        );
        for row in &self.0 {
            println!(
                "| {} | {} | {} | {} |",
                pad(&row.measure, wm),
                pad(&row.result, wr),
                pad(&row.target, wt),
                if row.met { "yes" } else { "NO " }
            );
        }
        let missed = self.0.iter().filter(|r| !r.met).count();
        println!(
            "\n{} of {} targets met.",
            self.0.len() - missed,
            self.0.len()
        );
    }
}

fn main() {
    let (conversations, per_conversation) = support::size();
    let (db, account) = support::cached(conversations, per_conversation);
    let replies = support::env_number("HARK_BENCH_SAVED_REPLIES", 5000);
    support::ensure_saved_replies(&db, replies);
    println!(
        "hark performance targets: {conversations} conversations, {} messages, {replies} saved replies",
        conversations * per_conversation
    );
    let mut table = Table(Vec::new());
    support::terminal::start_up(&db, &mut |measure, samples, limit| {
        table.latency(measure, samples, false, limit)
    });
    keys(&db, account, &mut table);
    let store = Store::open(&db).expect("open");
    let runs = if support::quick() { 5 } else { 50 };
    let search = support::time(runs, || store.search("refund espresso", 50));
    table.latency(
        "search, two words (newest 50 conversations)",
        &search,
        false,
        30.0,
    );
    drop(store);
    let rate = support::fake_x::ingest_rate(if support::quick() { 2_000 } else { 100_000 });
    table.add(
        "sync ingest from a local fake X API",
        format!("{rate:.0} messages/s"),
        "≥ 50000 messages/s",
        rate >= 50_000.0,
    );
    let rss = support::terminal::peak_memory(&db);
    table.add(
        "peak memory of the inbox (RSS) after working through it",
        format!("{:.1} MB", rss as f64 / 1e6),
        "≤ 60 MB",
        rss as f64 <= 60e6,
    );
    table.print();
}

/// Key to finished frame in the inbox (keymap, update, the database work, drawing at 120×40).
fn keys(db: &std::path::Path, account: i64, table: &mut Table) {
    let store = Store::open(db).expect("open");
    let accounts = support::bench_accounts(account);
    let mut ui = Harness::new(store, "ana", Keymap::default(), accounts, 0, (120, 40));
    ui.screen();
    let press = |ui: &mut Harness, keys: &str| {
        let start = Instant::now();
        ui.keys(keys);
        std::hint::black_box(ui.screen());
        start.elapsed()
    };
    let runs = if support::quick() { 50 } else { 500 };
    let mut moves = Vec::new();
    for _ in 0..runs {
        moves.push(press(&mut ui, "j"));
    }
    for _ in 0..runs {
        moves.push(press(&mut ui, "k"));
    }
    table.latency(
        "key → frame: move j/k (opens that thread)",
        &sorted(moves),
        true,
        5.0,
    );

    let mut folders = Vec::new();
    for round in 0..(runs / 5).max(5) {
        ui.state.focus = Pane::Folders;
        ui.state.folder_cursor = [0, 2, 5][round % 3];
        folders.push(press(&mut ui, "enter"));
    }
    table.latency("key → frame: folder switch", &sorted(folders), true, 5.0);

    // Enter on a conversation: the composer opens under its thread (with its draft).
    let mut compose = Vec::new();
    ui.state.focus = Pane::Folders;
    ui.state.folder_cursor = 0;
    press(&mut ui, "enter");
    for _ in 0..(runs / 5).max(5) {
        ui.state.focus = Pane::List;
        press(&mut ui, "j");
        compose.push(press(&mut ui, "enter"));
        press(&mut ui, "esc");
    }
    table.latency(
        "key → frame: Enter, the reply composer opens",
        &sorted(compose),
        true,
        5.0,
    );

    let mut picker = Vec::new();
    for _ in 0..(runs / 25).max(3) {
        ui.state.focus = Pane::List;
        press(&mut ui, "enter");
        press(&mut ui, "#");
        picker.push(press(&mut ui, "#"));
        for letter in ["r", "e", "f", "u", "n", "d", "space", "l", "a", "t", "e"] {
            picker.push(press(&mut ui, letter));
        }
        press(&mut ui, "esc");
        press(&mut ui, "esc");
        press(&mut ui, "j");
    }
    table.latency("key → frame: ## picker filter", &sorted(picker), true, 5.0);

    let mut search = Vec::new();
    for _ in 0..(runs / 50).max(3) {
        ui.state.focus = Pane::List;
        press(&mut ui, "/");
        for letter in ["r", "e", "f", "u", "n", "d"] {
            search.push(press(&mut ui, letter));
        }
        press(&mut ui, "esc");
    }
    table.latency(
        "key → frame: search, per letter typed",
        &sorted(search),
        false,
        30.0,
    );
}
