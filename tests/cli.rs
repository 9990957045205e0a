#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! The command line as scripts use it: output shapes, exit codes, messages.

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// hark with a private home, so no real config, database or log is touched.
fn hark(home: &Path) -> Command {
    common::hark_in(home)
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

const CONVERSATION_KEYS: &[&str] = &[
    "account",
    "assignee",
    "customer",
    "first_response_at",
    "id",
    "kind",
    "last_inbound_at",
    "last_message_at",
    "message_count",
    "network",
    "priority",
    "snippet",
    "snoozed_until",
    "status",
    "tags",
    "unread",
];

#[test]
fn conversations_list_json_has_a_stable_shape_and_pages() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let output = hark(home.path())
        .args(["--demo", "--db"])
        .arg(&db)
        .args(["conversations", "list", "--json", "-n", "3"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list = json_of(&output);
    assert_eq!(
        keys(&list),
        ["conversations", "folder", "format", "next_cursor"]
    );
    assert_eq!(list["format"], 1);
    assert_eq!(list["folder"], "open");
    let conversations = list["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 3);
    for conversation in conversations {
        assert_eq!(keys(conversation), CONVERSATION_KEYS);
        assert_eq!(keys(&conversation["customer"]), ["handle", "name"]);
        assert_eq!(conversation["status"], "open");
        assert_eq!(conversation["network"], "demo");
        assert!(
            conversation["last_message_at"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
    }
    let cursor = list["next_cursor"].as_str().unwrap().to_owned();

    let next = hark(home.path())
        .args(["--demo", "--db"])
        .arg(&db)
        .args([
            "conversations",
            "list",
            "--json",
            "-n",
            "3",
            "--after",
            &cursor,
        ])
        .output()
        .unwrap();
    let next = json_of(&next);
    let first_ids: Vec<&Value> = conversations.iter().map(|c| &c["id"]).collect();
    for conversation in next["conversations"].as_array().unwrap() {
        assert!(
            !first_ids.contains(&&conversation["id"]),
            "pages do not overlap"
        );
    }
}

#[test]
fn show_reply_close_and_like_work_through_the_outbox() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let run = |args: &[&str]| {
        hark(home.path())
            .args(["--demo", "--db"])
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let list = json_of(&run(&["conversations", "list", "--json", "-n", "1"]));
    let id = list["conversations"][0]["id"].as_i64().unwrap().to_string();

    let reply = run(&[
        "reply",
        &id,
        "--text",
        "Thanks, we're on it!",
        "--close",
        "--json",
    ]);
    assert_eq!(
        reply.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&reply.stderr)
    );
    let reply = json_of(&reply);
    assert_eq!(
        keys(&reply),
        [
            "conversation_id",
            "delivery",
            "error",
            "format",
            "message_id",
            "outbox_id",
            "remote_id"
        ]
    );
    assert_eq!(reply["delivery"], "sent");
    assert!(reply["remote_id"].as_str().unwrap().starts_with("demo-r"));

    let shown = json_of(&run(&["conversations", "show", &id, "--json"]));
    assert_eq!(
        keys(&shown),
        [
            "closed_at",
            "conversation",
            "created_at",
            "format",
            "messages",
            "root_remote_id",
            "subject"
        ]
    );
    assert_eq!(shown["conversation"]["status"], "closed");
    let messages = shown["messages"].as_array().unwrap();
    let ours = messages.last().unwrap();
    assert_eq!(
        keys(ours),
        [
            "agent",
            "author",
            "created_at",
            "delivery",
            "delivery_error",
            "direction",
            "hidden",
            "id",
            "in_reply_to",
            "liked",
            "private",
            "remote_id",
            "text"
        ]
    );
    assert_eq!(ours["direction"], "out");
    assert_eq!(ours["delivery"], "sent");
    assert_eq!(ours["text"], "Thanks, we're on it!");

    let reopen = run(&["reopen", &id]);
    assert!(String::from_utf8_lossy(&reopen.stdout).contains("is now open"));
    let like = run(&["like", &id]);
    assert_eq!(
        like.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&like.stderr)
    );
    let shown = json_of(&run(&["conversations", "show", &id, "--json"]));
    let liked = shown["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["direction"] == "in")
        .unwrap();
    assert_eq!(liked["liked"], true);
    let close = run(&["close", &id]);
    assert!(String::from_utf8_lossy(&close.stdout).contains("is now closed"));
}

#[test]
fn a_queued_reply_exits_5_and_an_over_long_one_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let run = |args: &[&str]| {
        hark(home.path())
            .args(["--demo", "--db"])
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let list = json_of(&run(&["conversations", "list", "--json", "-n", "1"]));
    let id = list["conversations"][0]["id"].as_i64().unwrap().to_string();
    let queued = run(&["reply", &id, "--text", "later", "--queue-only"]);
    assert_eq!(queued.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&queued.stdout).contains("queued"));

    let long = "x".repeat(501);
    let refused = run(&["reply", &id, "--text", &long]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("takes at most 500"));

    let sync = run(&["sync", "--once"]);
    assert!(sync.status.success());
    assert!(String::from_utf8_lossy(&sync.stdout).contains("delivered reply"));
}

#[test]
fn exit_codes_for_missing_things_and_bad_arguments() {
    let home = tempfile::tempdir().unwrap();
    let missing = hark(home.path())
        .args(["--demo", "conversations", "show", "999999"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no conversation with id 999999"));

    let folder = hark(home.path())
        .args(["--demo", "conversations", "list", "--folder", "spam"])
        .output()
        .unwrap();
    assert_eq!(folder.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&folder.stderr).contains("unknown folder 'spam'"));

    let usage = hark(home.path()).args(["reply"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn a_bad_config_names_file_line_and_key_and_exits_3() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "agent = \"ana\"\n[sync]\ninterval_sec = 5\n").unwrap();
    let output = hark(home.path())
        .arg("--config")
        .arg(&config)
        .args(["accounts", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&config.display().to_string()), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("interval_sec"), "{stderr}");

    let missing = hark(home.path())
        .args(["--config", "/nonexistent/hark.toml", "accounts", "list"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/hark.toml"));
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let home = tempfile::tempdir().unwrap();
    let output = hark(home.path())
        .args(["--demo", "conversations", "list", "-n", "500"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("WIN A FREE YEAR"),
        "the hostile message is listed"
    );
    assert!(!text.contains('\u{1b}'), "no escape character is printed");
    assert!(!text.contains('\u{7}'), "no bell is printed");
}

#[test]
fn version_and_accounts_list() {
    let home = tempfile::tempdir().unwrap();
    let version = hark(home.path())
        .args(["version", "--json"])
        .output()
        .unwrap();
    let version = json_of(&version);
    assert_eq!(keys(&version), ["format", "schema_version", "version"]);
    let accounts = hark(home.path())
        .args(["--demo", "accounts", "list", "--json"])
        .output()
        .unwrap();
    let accounts = json_of(&accounts);
    let demo = &accounts["accounts"][0];
    assert_eq!(demo["name"], "demo");
    assert_eq!(demo["syncing"], true);
    assert_eq!(demo["open_conversations"], 240);
    assert!(demo["last_synced_at"].is_string());

    let empty = hark(home.path())
        .args(["accounts", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&empty.stdout).contains("No accounts yet"));
}

#[test]
fn saved_replies_round_trip_through_toml_and_json_files() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("a.db");
    let run = |db: &Path, args: &[&str]| {
        let output = hark(home.path())
            .arg("--db")
            .arg(db)
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    run(
        &db,
        &[
            "replies",
            "add",
            "--title",
            "Refund",
            "--shortcut",
            "refund",
            "--tag",
            "billing",
            "--body",
            "Hi {first_name},\nrefund sent. {{ok}}",
        ],
    );
    run(
        &db,
        &[
            "replies",
            "add",
            "--title",
            "مرحبا",
            "--body",
            "أهلاً {name}!",
        ],
    );
    run(
        &db,
        &[
            "replies",
            "add",
            "--title",
            "감사",
            "--body",
            "{first_name}님 감사합니다",
        ],
    );
    let toml = run(&db, &["replies", "export"]);
    let json = run(&db, &["replies", "export", "--format", "json"]);

    let toml_file = home.path().join("replies.toml");
    let json_file = home.path().join("replies.json");
    std::fs::write(&toml_file, &toml).unwrap();
    std::fs::write(&json_file, &json).unwrap();
    let other = home.path().join("b.db");
    let imported = run(&other, &["replies", "import", toml_file.to_str().unwrap()]);
    assert!(imported.contains("3 added"), "{imported}");
    assert_eq!(run(&other, &["replies", "export"]), toml, "TOML round trip");
    let again = run(&other, &["replies", "import", json_file.to_str().unwrap()]);
    assert!(again.contains("0 added, 0 updated, 3 unchanged"), "{again}");
    assert_eq!(
        run(&other, &["replies", "export", "--format", "json"]),
        json,
        "JSON round trip"
    );

    // An edited file updates by shortcut.
    std::fs::write(
        &toml_file,
        toml.replace("refund sent.", "refund sent today."),
    )
    .unwrap();
    let updated = run(&other, &["replies", "import", toml_file.to_str().unwrap()]);
    assert!(updated.contains("1 updated"), "{updated}");
    let list: Value = serde_json::from_str(&run(&other, &["replies", "list", "--json"])).unwrap();
    assert_eq!(list["replies"].as_array().unwrap().len(), 3);
}

#[test]
fn a_bad_replies_file_names_the_line_and_imports_nothing() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("bad.toml");
    std::fs::write(
        &file,
        "[[replies]]\ntitle = \"ok\"\nbody = \"fine\"\n\n[[replies]]\ntitle = \"\"\nbody = \"x\"\n",
    )
    .unwrap();
    let output = hark(home.path())
        .args(["--db"])
        .arg(home.path().join("c.db"))
        .args(["replies", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("entry 2: a saved reply needs a title")
    );
    std::fs::write(&file, "[[replies]]\ntitle = \"ok\"\nbody = 5\n").unwrap();
    let output = hark(home.path())
        .args(["--db"])
        .arg(home.path().join("c.db"))
        .args(["replies", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("bad.toml, line 3"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list = hark(home.path())
        .args(["--db"])
        .arg(home.path().join("c.db"))
        .args(["replies", "list", "--json"])
        .output()
        .unwrap();
    assert_eq!(json_of(&list)["replies"].as_array().unwrap().len(), 0);
}

#[test]
fn rules_test_dry_runs_over_the_history_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[[rules]]\nname = \"Payment\"\nwhen = \"contains pay or contains pago\"\nthen = [\"tag Payment\"]\n\n\
         [[rules]]\nname = \"Chinese to Jack\"\nwhen = \"language is chinese\"\nthen = [\"assign jack\"]\n",
    )
    .unwrap();
    let db = home.path().join("d.db");
    // History synced before the rules existed.
    hark(home.path())
        .args(["--demo", "--db"])
        .arg(&db)
        .args(["conversations", "list"])
        .output()
        .unwrap();
    let run = |args: &[&str]| {
        hark(home.path())
            .arg("--config")
            .arg(&config)
            .args(["--demo", "--db"])
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let text = String::from_utf8(run(&["rules", "test"]).stdout).unwrap();
    assert!(text.contains("Dry run of 2 rules over"), "{text}");
    assert!(
        text.contains("1. Payment — when contains pay or contains pago"),
        "{text}"
    );
    assert!(text.contains("→ tag Payment"), "{text}");
    assert!(text.contains("2. Chinese to Jack"), "{text}");
    let report = json_of(&run(&["rules", "test", "--json"]));
    let payment = &report["rules"][0];
    assert!(payment["matched_messages"].as_u64().unwrap() > 0);
    assert!(
        !report["rules"][1]["conversations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let list = json_of(&run(&[
        "conversations",
        "list",
        "--folder",
        "mine",
        "--json",
    ]));
    assert!(
        list["conversations"].as_array().unwrap().is_empty(),
        "a dry run assigns nobody"
    );
    let tagged = run(&["conversations", "list", "--folder", "tag:Payment"]);
    assert_eq!(tagged.status.code(), Some(4), "no tag was created");
}

#[test]
fn doctor_checks_the_database_the_tokens_and_the_accounts() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let output = hark(home.path())
        .args(["--demo", "doctor"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("✓ on a local disk"), "{text}");
    assert!(
        text.contains("✓ demo (Demo): the credentials work"),
        "{text}"
    );

    // A token others can read is a problem, and the exit code says so.
    let secrets = home.path().join("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let token = secrets.join("brand.token");
    std::fs::write(&token, "t0ken").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[accounts]]\nname = \"brand\"\nnetwork = \"mastodon\"\ninstance = \"http://127.0.0.1:9\"\ntoken_file = \"{}\"\n",
            token.display()
        ),
    )
    .unwrap();
    let doctor = || {
        let output = hark(home.path())
            .arg("--config")
            .arg(&config)
            .arg("--db")
            .arg(home.path().join("hark.db"))
            .arg("doctor")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.code(), text)
    };
    let (code, text) = doctor();
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("brand.token is mode 644: others can read"),
        "{text}"
    );
    assert!(text.contains("brand: not connected here"), "{text}");
    assert!(
        text.contains("nobody has synced this database yet"),
        "{text}"
    );

    // Mended: the token is private, and the unreachable server is the problem now.
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, text) = doctor();
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("brand.token is mode 600"), "{text}");
    assert!(
        text.contains("✗ brand (Mastodon):"),
        "the server cannot be reached: {text}"
    );
}

#[test]
fn an_agent_cannot_change_rules_saved_replies_tags_or_people() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "agent = \"ana\"\n").unwrap();
    let me = String::from_utf8(
        std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let run = |args: &[&str]| {
        hark(home.path())
            .arg("--config")
            .arg(&config)
            .arg("--db")
            .arg(home.path().join("hark.db"))
            .args(args)
            .output()
            .unwrap()
    };
    // While nobody is listed, this user is an admin: rules can be added (and are checked).
    let added = run(&[
        "rules",
        "add",
        "Refunds",
        "--when",
        "contains refund",
        "--then",
        "tag Refund",
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("name = \"Refunds\"")
    );
    let bad = run(&[
        "rules", "add", "Broken", "--when", "contains", "--then", "tag X",
    ]);
    assert!(!bad.status.success());
    assert!(
        !std::fs::read_to_string(&config).unwrap().contains("Broken"),
        "a bad rule is not written"
    );

    // A team: someone else is the admin, this user an agent.
    let stranger_first = run(&["people", "add", "boss", "--role", "admin"]);
    assert_eq!(
        stranger_first.status.code(),
        Some(2),
        "a team starts with whoever sets it up"
    );
    for (login, role) in [
        (me.as_str(), "admin"),
        ("boss", "admin"),
        (me.as_str(), "agent"),
    ] {
        let added = run(&["people", "add", login, "--role", role]);
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
    }
    for args in [
        vec![
            "rules",
            "add",
            "More",
            "--when",
            "contains x",
            "--then",
            "tag X",
        ],
        vec!["rules", "remove", "Refunds"],
        vec!["replies", "add", "--title", "Hi", "--body", "Hello!"],
        vec!["tags", "colour", "Refund", "red"],
        vec!["people", "add", "eve", "--role", "admin"],
        vec![
            "accounts",
            "add",
            "mastodon",
            "--instance",
            "http://127.0.0.1:9",
            "--token-env",
            "UNSET",
        ],
    ] {
        let refused = run(&args);
        assert_eq!(refused.status.code(), Some(7), "{args:?}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("only an admin can"), "{stderr}");
    }
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("Refunds")
    );
    let listed = run(&["people", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("boss") && text.contains("(you)"), "{text}");
}
