//! hark in a real terminal: a private tmux server whose sessions run hark, driven by key
//! presses and read back from the screen. CI installs tmux and sets HARK_REQUIRE_TMUX=1 so that
//! a missing tmux fails there instead of skipping.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own (killed when dropped).
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Tmux {
        Tmux {
            socket: format!("hark-{name}-{}", std::process::id()),
        }
    }

    pub fn run(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Starts `command` in a new session of the given size.
    pub fn start(&self, session: &str, (width, height): (u16, u16), command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
    }

    pub fn keys(&self, session: &str, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", session, key]);
            // Give each key its own read, as a person's typing does (tmux would otherwise
            // glue Esc to the next key as Alt+key).
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn type_text(&self, session: &str, text: &str) {
        self.run(&["send-keys", "-t", session, "-l", text]);
    }

    pub fn screen(&self, session: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", session])
    }

    /// Waits until the session's screen shows `text`, and answers the screen.
    pub fn wait_for(&self, session: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(session);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{session}'s screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alive(&self, session: &str) -> bool {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(["has-session", "-t", session])
            .output()
            .is_ok_and(|o| o.status.success())
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

/// Whether tmux can be run here (a test without it says so and checks nothing, except where
/// HARK_REQUIRE_TMUX asks for it).
pub fn tmux_available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("HARK_REQUIRE_TMUX").is_none(),
            "HARK_REQUIRE_TMUX is set but tmux cannot be run"
        );
        eprintln!("tmux is not installed: skipping a terminal test");
    }
    found
}
