#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on failure
//! The `##` picker's filter over 5,000 saved replies, per keystroke, as a person types a query
//! (each letter narrows the previous matches) and as a fresh query (every reply is looked at).
//! Run with `cargo bench --bench picker`.

mod support;

use hark::app::picker::{Picker, lowercase_bodies, rank};
use hark::store::SavedReply;
use support::{median, p99, sorted, time};

const WORDS: &[&str] = &[
    "refund",
    "order",
    "delivery",
    "payment",
    "page",
    "thanks",
    "sorry",
    "coffee",
    "subscription",
    "discount",
    "shipping",
    "decaf",
    "grind",
    "beans",
    "courier",
    "late",
    "box",
    "gift",
    "price",
    "account",
    "password",
    "login",
    "card",
    "declined",
    "charged",
    "twice",
    "cancel",
    "pause",
];

fn replies(count: usize) -> Vec<SavedReply> {
    (0..count)
        .map(|i| {
            let word = |k: usize| WORDS[(i * 7 + k * 11) % WORDS.len()];
            let title = format!("{} {} {} #{i}", word(0), word(1), word(2));
            let body: Vec<&str> = (0..40).map(word).collect();
            SavedReply {
                id: i as i64,
                title,
                body: format!("Hi {{first_name}}, {}.", body.join(" ")),
                shortcut: (i % 3 == 0).then(|| format!("{}{i}", word(3))),
                tags: Vec::new(),
                use_count: (i % 17) as i64,
                last_used_at: Some(i as i64),
            }
        })
        .collect()
}

fn main() {
    let count = support::env_number("HARK_BENCH_SAVED_REPLIES", 5000);
    let replies = replies(count);
    let query = "refund late";
    // Made once, when the saved replies are loaded.
    let bodies = lowercase_bodies(&replies);

    // As typed: the picker opens on ## and each letter narrows.
    let mut typed = Vec::new();
    let runs = if support::quick() { 3 } else { 30 };
    for _ in 0..runs {
        let mut picker = Picker::new(0, 0, &replies, bodies.clone());
        for end in 1..=query.len() {
            let start = std::time::Instant::now();
            picker.set_query(&query[..end], &replies);
            typed.push(start.elapsed());
        }
    }
    let typed = sorted(typed);
    let open = time(runs, || Picker::new(0, 0, &replies, bodies.clone()));
    let fresh_one = time(runs, || rank(&replies, "r", None));
    let fresh_full = time(runs, || rank(&replies, query, None));

    println!("hark ## picker: {count} saved replies");
    println!(
        "  open (all, by use)          {:>8.3} ms median",
        median(&open)
    );
    println!(
        "  per letter typed            {:>8.3} ms median, {:>8.3} ms p99",
        median(&typed),
        p99(&typed)
    );
    println!(
        "  fresh query \"r\"             {:>8.3} ms median",
        median(&fresh_one)
    );
    println!(
        "  fresh query \"{query}\"   {:>8.3} ms median",
        median(&fresh_full)
    );
}
