//! hark in the rest of the terminal: shell completions and manual pages generated from the
//! command-line definition, the version with build information, and --verbose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

fn stdout(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let output = common::hark_in(home.path()).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn completions_cover_every_command_in_each_shell() {
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("_hark()"), "{bash}");
    for command in [
        "sync",
        "conversations",
        "replies",
        "report",
        "doctor",
        "completions",
        "man",
    ] {
        assert!(bash.contains(command), "bash lacks {command}");
    }
    assert!(
        bash.contains("--folder"),
        "options of subcommands are completed"
    );
    assert!(stdout(&["completions", "zsh"]).starts_with("#compdef hark"));
    let fish = stdout(&["completions", "fish"]);
    assert!(fish.contains("complete -c hark"), "{fish}");
    assert!(fish.contains("-l demo"), "{fish}");

    let home = tempfile::tempdir().unwrap();
    let refused = common::hark_in(home.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("possible values: bash"));
}

#[test]
fn the_manual_is_generated_whole_or_one_page_per_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH hark 1"), "{page}");
    assert!(page.contains("terminal social inbox"), "{page}");
    assert!(
        page.contains("hark\\-sync") || page.contains("sync"),
        "{page}"
    );
    assert!(page.contains("\\-\\-demo"), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    stdout(&["man", "--dir", pages.to_str().unwrap()]);
    let sync = std::fs::read_to_string(pages.join("hark-sync.1")).unwrap();
    assert!(
        sync.contains(".TH hark-sync 1") && sync.contains("\\-\\-daemon"),
        "{sync}"
    );
    assert!(sync.contains(env!("CARGO_PKG_VERSION")), "{sync}");
    assert!(pages.join("hark-accounts-add.1").exists());
    assert!(pages.join("hark-replies-import.1").exists());
}

#[test]
fn the_version_says_what_was_built() {
    let version = stdout(&["--version"]);
    assert!(
        version.starts_with(&format!("hark {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(version.contains(" build)"), "{version}");
}

#[test]
fn verbose_commands_log_on_standard_error_too() {
    let home = tempfile::tempdir().unwrap();
    let quiet = common::hark_in(home.path())
        .args(["--demo", "conversations", "list", "-n", "1"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&quiet.stderr);
    assert!(!said.contains("DEBUG") && !said.contains("INFO"), "{said}");
    let loud = common::hark_in(home.path())
        .args(["--demo", "-v", "conversations", "list", "-n", "1"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&loud.stderr);
    assert!(log.contains("DEBUG"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colours when not a terminal: {log}"
    );
    // The file log has it too.
    let file = std::fs::read_to_string(home.path().join("state/hark/hark.log")).unwrap_or_default();
    assert!(file.contains("DEBUG"), "{file}");
}

#[test]
fn an_export_reads_back_whole_in_json_and_csv() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let db_arg = db.to_str().unwrap();
    let hark = |args: &[&str]| {
        let output = common::hark_in(home.path())
            .args(["--demo", "--db", db_arg])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    hark(&["conversations", "list", "-n", "1"]);
    // Text that CSV and JSON must carry as it is: commas, quotes, new lines, RTL, emoji.
    let tricky = "Hi \"Layla\", sorry,\nsecond line — مرحبا 👋🏽";
    {
        let mut store = hark::store::Store::open(&db).unwrap();
        store.add_note(1, tricky, "ana", 0).unwrap();
        store.tag(&[1], "vip", "ana", 0).unwrap();
    }
    // Queued, not yet sent: its own exit code (5).
    let queued = common::hark_in(home.path())
        .args([
            "--demo",
            "--db",
            db_arg,
            "reply",
            "1",
            "--text",
            tricky,
            "--queue-only",
        ])
        .output()
        .unwrap();
    assert_eq!(
        queued.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&queued.stderr)
    );

    let json: serde_json::Value = serde_json::from_slice(&hark(&["export"])).unwrap();
    let conversations = json["conversations"].as_array().unwrap();
    let shown: serde_json::Value =
        serde_json::from_slice(&hark(&["conversations", "show", "1", "--json"])).unwrap();
    let first = conversations.iter().find(|c| c["id"] == 1).unwrap();
    assert_eq!(
        first["messages"], shown["messages"],
        "the same messages as `show`"
    );
    assert_eq!(first["tags"], serde_json::json!(["vip"]));
    assert_eq!(first["notes"][0]["body"], tricky);
    assert_eq!(first["notes"][0]["author"], "ana");
    let messages: usize = conversations
        .iter()
        .map(|c| c["messages"].as_array().unwrap().len())
        .sum();

    let file = home.path().join("export.csv");
    hark(&[
        "export",
        "--format",
        "csv",
        "--output",
        file.to_str().unwrap(),
    ]);
    let mut reader = csv::Reader::from_path(&file).unwrap();
    assert_eq!(reader.headers().unwrap().get(0), Some("record"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let notes = rows.iter().filter(|r| &r[0] == "note").count();
    assert_eq!((rows.len() - notes, notes), (messages, 1));
    let reply = rows
        .iter()
        .find(|r| &r[0] == "message" && &r[1] == "1" && &r[16] == tricky);
    assert!(reply.is_some(), "the reply reads back whole from the CSV");
    assert!(
        rows.iter()
            .any(|r| &r[0] == "note" && &r[16] == tricky && &r[7] == "vip")
    );

    // Only a folder: closed conversations (none yet) give an empty export.
    let closed: serde_json::Value =
        serde_json::from_slice(&hark(&["export", "-f", "closed"])).unwrap();
    assert_eq!(closed["conversations"], serde_json::json!([]));
}

#[test]
fn a_reader_that_closes_the_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hark.db");
    let (mut store, account) = common::store_with_account(Some(&db));
    common::ingest(
        &mut store,
        account,
        &[common::inbound("a", "a1", "where is my order", 0)],
        0,
    );
    drop(store);
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["report", "--since", "2026-01-01", "--until", "2027-01-01"][..],
        &[
            "report",
            "--since",
            "2026-01-01",
            "--until",
            "2027-01-01",
            "--csv",
        ],
        &[
            "report",
            "--since",
            "2026-01-01",
            "--until",
            "2027-01-01",
            "--json",
        ],
        &["conversations", "list"],
        &["conversations", "show", "1"],
        &["tags", "list"],
        &["--version"],
    ] {
        let mut child = common::hark_process_in(home.path())
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is written, as `| head -0` would.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.status.success(), "{args:?}: {stderr}");
    }
}
