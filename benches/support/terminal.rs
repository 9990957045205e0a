//! The real `hark` binary in a pseudo-terminal (portable-pty), its screen kept by a terminal
//! emulator (vt100): how long it takes from process start to the first frame and to the inbox
//! painted with conversations, and how much memory it holds at its peak.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const SIZE: PtySize = PtySize {
    rows: 40,
    cols: 120,
    pixel_width: 0,
    pixel_height: 0,
};

/// A running inbox and what it has drawn so far.
struct Inbox {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<Vec<u8>>,
    screen: vt100::Parser,
    started: Instant,
    _home: tempfile::TempDir,
}

impl Inbox {
    fn start(db: &Path) -> Inbox {
        let home = tempfile::tempdir().expect("a home");
        let config = home.path().join("config/hark");
        std::fs::create_dir_all(&config).expect("config folder");
        // No keyboard question: a pseudo-terminal with nobody behind it never answers.
        std::fs::write(config.join("config.toml"), "keyboard_protocol = \"off\"\n")
            .expect("config");
        let pair = native_pty_system()
            .openpty(SIZE)
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_hark"));
        command.arg("--db");
        command.arg(db);
        command.env_clear();
        command.env("HOME", home.path());
        command.env("XDG_CONFIG_HOME", home.path().join("config"));
        command.env("XDG_STATE_HOME", home.path().join("state"));
        command.env("TERM", "xterm-256color");
        let started = Instant::now();
        let child = pair.slave.spawn_command(command).expect("start hark");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let (sender, output) = mpsc::channel();
        std::thread::spawn(move || {
            let _keep_the_terminal_open = pair.master;
            let mut buffer = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 || sender.send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Inbox {
            child,
            writer,
            output,
            screen: vt100::Parser::new(SIZE.rows, SIZE.cols, 0),
            started,
            _home: home,
        }
    }

    /// Waits until the screen shows `text`; answers how long after the start it did.
    fn wait_for(&mut self, text: &str) -> Duration {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.screen.screen().contents().contains(text) {
                return self.started.elapsed();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => self.screen.process(&bytes),
                Err(_) => panic!(
                    "hark never showed {text:?}:\n{}",
                    self.screen.screen().contents()
                ),
            }
        }
    }

    fn type_keys(&mut self, keys: &str) {
        for byte in keys.bytes() {
            self.writer.write_all(&[byte]).expect("type");
            self.writer.flush().expect("type");
            std::thread::sleep(Duration::from_millis(3));
            while let Ok(bytes) = self.output.try_recv() {
                self.screen.process(&bytes);
            }
        }
    }

    /// The process's peak resident memory (VmHWM), in bytes.
    fn peak_memory(&self) -> u64 {
        let pid = self.child.process_id().expect("a process id");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Process start → first frame, and → the inbox painted with its conversations (the selected
/// row's marker is drawn), over several starts.
pub fn start_up(db: &Path, report: &mut dyn FnMut(&str, &[Duration], f64)) {
    let runs = if super::quick() { 3 } else { 20 };
    let (mut first, mut painted) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let mut inbox = Inbox::start(db);
        first.push(inbox.wait_for(" hark "));
        painted.push(inbox.wait_for("▌"));
    }
    report(
        "start → first frame (real binary, pseudo-terminal)",
        &super::sorted(first),
        50.0,
    );
    report(
        "start → inbox painted with conversations",
        &super::sorted(painted),
        50.0,
    );
}

/// Peak memory of an inbox that was moved through, searched and replied in.
pub fn peak_memory(db: &Path) -> u64 {
    let mut inbox = Inbox::start(db);
    inbox.wait_for("▌");
    inbox.type_keys(&"j".repeat(300));
    inbox.type_keys("/refund");
    inbox.wait_for("found");
    inbox.type_keys("\x1b");
    std::thread::sleep(Duration::from_millis(50));
    inbox.type_keys("\r##refund");
    inbox.wait_for("Saved replies");
    inbox.type_keys("\x1b\x1b");
    std::thread::sleep(Duration::from_millis(300));
    inbox.peak_memory()
}
