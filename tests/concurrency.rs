#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! Eight hark processes on one database at once: a sync daemon, and seven people reading,
//! closing, reopening, liking and replying from the command line, for 30 seconds
//! (HARK_CONCURRENCY_SECS changes it). No lock error may reach anyone, every command must
//! succeed, and the database must be consistent at the end.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn hark(dir: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("hark"));
    command
        .env("HOME", dir)
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("--db")
        .arg(dir.join("team.db"))
        .stdin(Stdio::null());
    command
}

#[test]
fn eight_processes_share_one_database_without_lock_errors() {
    let seconds: u64 = std::env::var("HARK_CONCURRENCY_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[demo]\nconversations = 60\nnew_conversation_every_secs = 1\nreply_back_chance = 1.0\nreply_back_after_secs = 1\n\n\
         [[accounts]]\nname = \"brand\"\nnetwork = \"demo\"\nsync_interval_secs = 1\n",
    )
    .unwrap();
    let seeded = hark(dir.path()).args(["sync", "--once"]).output().unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let list = hark(dir.path())
        .args(["conversations", "list", "--json", "-n", "60"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let ids: Vec<i64> = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 60);

    let mut daemon = hark(dir.path())
        .args(["sync", "--daemon"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..7)
        .map(|worker| {
            let dir = dir.path().to_owned();
            let ids = ids.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                let mut runs = 0;
                let mut step = worker;
                while Instant::now() < deadline {
                    let id = ids[(step * 7 + worker) % ids.len()].to_string();
                    let args: Vec<String> = match step % 6 {
                        0 => vec!["conversations".into(), "list".into(), "--json".into()],
                        1 => vec!["conversations".into(), "show".into(), id, "--json".into()],
                        2 => vec!["close".into(), id],
                        3 => vec!["reopen".into(), id],
                        4 => vec!["like".into(), id],
                        _ => vec![
                            "reply".into(),
                            id,
                            "--text".into(),
                            format!("worker {worker} step {step}"),
                            "--queue-only".into(),
                        ],
                    };
                    let output = hark(&dir).args(&args).output().unwrap();
                    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                    // 5: a reply or like queued for the daemon, which is what --queue-only asks.
                    let fine = matches!(output.status.code(), Some(0 | 5));
                    if !fine || stderr.to_lowercase().contains("locked") || stderr.contains("busy")
                    {
                        failures.push(format!("{args:?} → {:?}: {stderr}", output.status.code()));
                    }
                    runs += 1;
                    step += 1;
                }
                (runs, failures)
            })
        })
        .collect();
    let mut runs = 0;
    let mut failures = Vec::new();
    for worker in workers {
        let (count, failed) = worker.join().unwrap();
        runs += count;
        failures.extend(failed);
    }
    // Stop the daemon as systemd would.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    let status = daemon.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(daemon.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        status.success(),
        "the daemon did not stop cleanly: {status:?} {stderr}"
    );
    assert!(!stderr.to_lowercase().contains("locked"), "{stderr}");
    assert!(
        failures.is_empty(),
        "{} of {runs} commands failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(runs >= 40, "only {runs} commands ran");

    let store = hark::store::Store::open(&dir.path().join("team.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let fk: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "no dangling references");
    eprintln!("{runs} commands by 7 processes beside a sync daemon, none failed");
}
