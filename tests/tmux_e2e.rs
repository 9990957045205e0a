#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! hark run as a person runs it: `hark --demo` in a real terminal (tmux), driven by key presses,
//! checked by reading the screen. Needs tmux; CI installs it and sets HARK_REQUIRE_TMUX=1 so
//! that a missing tmux fails there instead of skipping.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "e2e", key]);
            // Give each key its own read, as a person's typing does (tmux would otherwise
            // glue Esc to the next key as Alt+key).
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Waits until the screen shows `text`, and answers the screen.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(["has-session", "-t", "e2e"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

fn tmux_available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("HARK_REQUIRE_TMUX").is_none(),
            "HARK_REQUIRE_TMUX is set but tmux cannot be run"
        );
        eprintln!("tmux is not installed: skipping the terminal end-to-end test");
    }
    found
}

fn start(home: &Path, db: &Path, width: u16, height: u16) -> Tmux {
    let tmux = Tmux {
        socket: format!("hark-e2e-{}-{width}", std::process::id()),
    };
    let binary: PathBuf = assert_cmd::cargo::cargo_bin("hark");
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} --demo --db {db}",
        home = home.display(),
        bin = binary.display(),
        db = db.display()
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        &width.to_string(),
        "-y",
        &height.to_string(),
        &command,
    ]);
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
    let screen = tmux.wait_for("Open 240");
    assert!(
        screen.contains("j/↓ down"),
        "the footer lists the keys:\n{screen}"
    );
    assert!(!screen.contains('\u{1b}'));

    tmux.keys(&["j", "j"]);
    tmux.keys(&["c"]);
    tmux.wait_for("Closed #");
    tmux.wait_for("Open 239");

    tmux.keys(&["Enter"]);
    tmux.wait_for("Reply 0/500");
    tmux.type_text("Thanks for writing — we're on it!");
    tmux.wait_for("Reply 33/500");
    tmux.keys(&["C-s"]);
    tmux.wait_for("conversation closed");
    tmux.wait_for("Open 238");
    tmux.wait_for("demo: reply sent");

    tmux.keys(&["?"]);
    tmux.wait_for("Keys — any key closes");
    tmux.keys(&["Escape"]);
    tmux.keys(&["/"]);
    tmux.type_text("payment");
    tmux.wait_for("found");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Open 238");

    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.alive() {
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
    let screen = tmux.wait_for("Open 240");
    for line in screen.lines() {
        assert!(
            hark::text::width(line) <= 80,
            "wider than the terminal: {line}"
        );
    }
    tmux.run(&["resize-window", "-t", "e2e", "-x", "50", "-y", "20"]);
    tmux.keys(&["l"]);
    let narrow = tmux.wait_for(" on demo · open");
    assert!(
        !narrow.contains("Unassigned"),
        "one pane at a time when narrow:\n{narrow}"
    );
    tmux.keys(&["q"]);
}
