#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! hark run as a person runs it: `hark --demo` in a real terminal (tmux), driven by key presses,
//! checked by reading the screen. Needs tmux; CI installs it and sets HARK_REQUIRE_TMUX=1 so
//! that a missing tmux fails there instead of skipping.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::tmux::{Tmux, tmux_available};

/// The session hark runs in.
const SESSION: &str = "e2e";

fn start(home: &Path, db: &Path, width: u16, height: u16) -> Tmux {
    let tmux = Tmux::new(&format!("e2e-{width}"));
    let binary: PathBuf = assert_cmd::cargo::cargo_bin("hark");
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} --demo --db {db}",
        home = home.display(),
        bin = binary.display(),
        db = db.display()
    );
    tmux.start(SESSION, (width, height), &command);
    tmux
}

#[test]
fn a_person_works_through_the_demo_inbox_in_a_real_terminal() {
    if !tmux_available() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let tmux = start(home.path(), &db, 120, 32);
    let screen = tmux.wait_for(SESSION, "Open 240");
    assert!(
        screen.contains("j/↓ down"),
        "the footer lists the keys:\n{screen}"
    );
    assert!(!screen.contains('\u{1b}'));

    tmux.keys(SESSION, &["j", "j"]);
    tmux.keys(SESSION, &["c"]);
    tmux.wait_for(SESSION, "Closed #");
    tmux.wait_for(SESSION, "Open 239");

    tmux.keys(SESSION, &["Enter"]);
    tmux.wait_for(SESSION, "Reply 0/500");
    tmux.type_text(SESSION, "Thanks for writing — we're on it!");
    tmux.wait_for(SESSION, "Reply 33/500");
    tmux.keys(SESSION, &["C-s"]);
    tmux.wait_for(SESSION, "conversation closed");
    tmux.wait_for(SESSION, "Open 238");
    tmux.wait_for(SESSION, "demo: reply sent");

    tmux.keys(SESSION, &["?"]);
    tmux.wait_for(SESSION, "Keys — any key closes");
    tmux.keys(SESSION, &["Escape"]);
    tmux.keys(SESSION, &["/"]);
    tmux.type_text(SESSION, "payment");
    tmux.wait_for(SESSION, "found");
    tmux.keys(SESSION, &["Escape"]);
    tmux.wait_for(SESSION, "Open 238");

    tmux.keys(SESSION, &["q"]);
    let start = Instant::now();
    while tmux.alive(SESSION) {
        assert!(start.elapsed() < Duration::from_secs(10), "q did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }

    // What the person did is in the database.
    let output = Command::new(assert_cmd::cargo::cargo_bin("hark"))
        .env("HOME", home.path())
        .args(["--db"])
        .arg(&db)
        .args(["conversations", "list", "--folder", "closed", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["conversations"].as_array().unwrap().len(), 2);
}

#[test]
fn the_inbox_fits_80_by_24_and_narrow_terminals() {
    if !tmux_available() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let tmux = start(home.path(), &db, 80, 24);
    let screen = tmux.wait_for(SESSION, "Open 240");
    for line in screen.lines() {
        assert!(
            hark::text::width(line) <= 80,
            "wider than the terminal: {line}"
        );
    }
    tmux.run(&["resize-window", "-t", "e2e", "-x", "50", "-y", "20"]);
    tmux.keys(SESSION, &["l"]);
    let narrow = tmux.wait_for(SESSION, " on demo · open");
    assert!(
        !narrow.contains("Unassigned"),
        "one pane at a time when narrow:\n{narrow}"
    );
    tmux.keys(SESSION, &["q"]);
}
