#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! Key press to finished frame in the inbox on the 100k-conversation / 1M-message database:
//! the key goes through the keymap and `update`, the database work it asks for is done, and the
//! frame is drawn (on ratatui's TestBackend, 120×40). Run with `cargo bench --bench tui_keys`.

mod support;

use std::time::{Duration, Instant};

use hark::app::Pane;
use hark::app::keymap::Keymap;
use hark::runtime::harness::Harness;
use hark::store::Store;
use support::{median, p99, sorted};

fn press(ui: &mut Harness, keys: &str) -> Duration {
    let start = Instant::now();
    ui.keys(keys);
    std::hint::black_box(ui.screen());
    start.elapsed()
}

fn main() {
    let (conversations, per_conversation) = support::size();
    let (path, account) = support::cached(conversations, per_conversation);
    let store = Store::open(&path).expect("open");
    let accounts = support::bench_accounts(account);
    let started = Instant::now();
    let mut ui = Harness::new(store, "ana", Keymap::default(), accounts, 0, (120, 40));
    ui.screen();
    let first_frame = started.elapsed();

    let runs = if support::quick() { 50 } else { 1000 };
    let mut down = Vec::new();
    for _ in 0..runs {
        down.push(press(&mut ui, "j"));
    }
    let mut up = Vec::new();
    for _ in 0..runs {
        up.push(press(&mut ui, "k"));
    }

    // Folder switch: Open ↔ Unassigned ↔ the account's folder, from the sidebar.
    let mut folders = Vec::new();
    for round in 0..(runs / 10).max(5) {
        ui.state.focus = Pane::Folders;
        ui.state.folder_cursor = [0, 2, 5][round % 3];
        folders.push(press(&mut ui, "enter"));
    }

    // Search as you type: every letter searches again.
    let mut search = Vec::new();
    for _ in 0..(runs / 50).max(3) {
        press(&mut ui, "/");
        for letter in ["r", "e", "f", "u", "n", "d"] {
            search.push(press(&mut ui, letter));
        }
        press(&mut ui, "esc");
    }

    let (down, up, folders, search) = (sorted(down), sorted(up), sorted(folders), sorted(search));
    println!(
        "hark key → frame: {conversations} conversations, {} messages, 120×40",
        conversations * per_conversation
    );
    println!(
        "  first frame (state + page + counts + draw) {:>8.2} ms",
        first_frame.as_secs_f64() * 1e3
    );
    println!(
        "  j (next conversation + its thread)  {:>8.3} ms median, {:>8.3} ms p99",
        median(&down),
        p99(&down)
    );
    println!(
        "  k (previous conversation)           {:>8.3} ms median, {:>8.3} ms p99",
        median(&up),
        p99(&up)
    );
    println!(
        "  folder switch                       {:>8.3} ms median, {:>8.3} ms p99",
        median(&folders),
        p99(&folders)
    );
    println!(
        "  search, per letter typed            {:>8.3} ms median, {:>8.3} ms p99",
        median(&search),
        p99(&search)
    );
}
