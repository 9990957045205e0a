#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic
//! A team box: a sync daemon holding the brand's token, and two agents, Ana and Bo, working
//! one database without it. Run as root with `setpriv` (as CI does), the agents are distinct
//! Unix users in the team's group, and Ana's process really cannot read the token; otherwise
//! the identities are simulated with separate configs and homes. Ana's reply goes out through
//! the daemon; Bo's inbox shows Ana replying, then her sent reply.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::tmux::{Tmux, tmux_available};

use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TEAM_GID: u32 = 61_000;
const ANA_UID: u32 = 61_001;
const BO_UID: u32 = 61_002;

/// How a person's hark is started: as their own Unix user when this machine allows it.
#[derive(Clone)]
struct Person {
    name: &'static str,
    uid: Option<u32>,
    home: PathBuf,
}

impl Person {
    /// The command line that runs `program` as this person.
    fn prefix(&self) -> Vec<String> {
        match self.uid {
            Some(uid) => vec![
                "setpriv".into(),
                format!("--reuid={uid}"),
                format!("--regid={TEAM_GID}"),
                "--clear-groups".into(),
            ],
            None => Vec::new(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut words = self.prefix();
        words.push(hark_binary().display().to_string());
        let mut command = Command::new(&words[0]);
        command
            .args(&words[1..])
            .env_clear()
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .arg("--config")
            .arg(self.home.join("config.toml"))
            .args(args);
        command.output().unwrap()
    }

    /// Whether this person's process can read a file.
    fn can_read(&self, file: &Path) -> bool {
        let mut words = self.prefix();
        words.extend(["cat".into(), file.display().to_string()]);
        Command::new(&words[0])
            .args(&words[1..])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

fn hark_binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("hark")
}

/// Distinct Unix users are possible: root, setpriv, and the binary reachable by others.
fn separate_users() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let probe = || {
        Command::new("setpriv")
            .args([
                format!("--reuid={ANA_UID}"),
                format!("--regid={TEAM_GID}"),
                "--clear-groups".into(),
            ])
            .arg(hark_binary())
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let possible = root && probe();
    if !possible {
        eprintln!("cannot run as other Unix users here: simulating the team with separate configs");
    }
    possible
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Starts a person's inbox in a tmux session, as that person.
fn start_inbox(tmux: &Tmux, session: &str, person: &Person) {
    let mut words = person.prefix();
    words.extend([
        "env".into(),
        format!("HOME={}", person.home.display()),
        format!("XDG_CONFIG_HOME={}/config", person.home.display()),
        format!("XDG_STATE_HOME={}/state", person.home.display()),
        "TERM=xterm-256color".into(),
        hark_binary().display().to_string(),
        "--config".into(),
        person.home.join("config.toml").display().to_string(),
    ]);
    tmux.start(session, (140, 30), &words.join(" "));
}

const ME: &str = "1072250532645998596";

async fn fake_x(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "data": { "id": ME, "username": "kettlecrumb", "name": "Kettle & Crumb" } }),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{ME}/mentions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{ "id": "1600", "text": "@kettlecrumb my parcel never came", "author_id": "7",
                       "conversation_id": "1600", "created_at": "2026-11-23T10:00:00.000Z" }],
            "includes": { "users": [{ "id": "7", "username": "minji", "name": "Minji Kim" }] },
            "meta": { "result_count": 1, "newest_id": "1600" }
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/dm_events"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "meta": { "result_count": 0 } })),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(body_json(
            json!({ "text": "Sorry Minji, a new one ships today",
                               "reply": { "in_reply_to_tweet_id": "1600" } }),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({ "data": { "id": "1700", "text": "Sorry Minji, a new one ships today" } }),
        ))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_work_one_database_without_the_token_and_see_each_other() {
    if !tmux_available() {
        return;
    }
    let server = MockServer::start().await;
    fake_x(&server).await;
    let users = separate_users();

    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    let team = root.path().join("team");
    std::fs::create_dir(&team).unwrap();
    if users {
        chown(&team, 0, TEAM_GID);
        chmod(&team, 0o2770);
    }
    let db = team.join("hark.db");

    // The daemon's side: the token, readable by it alone.
    let daemon = Person {
        name: "daemon",
        uid: None,
        home: root.path().join("daemon"),
    };
    std::fs::create_dir_all(daemon.home.join("secrets")).unwrap();
    chmod(&daemon.home, 0o700);
    let token = daemon.home.join("secrets/x-kettle.token");
    std::fs::write(&token, "USER-TOKEN").unwrap();
    chmod(&daemon.home.join("secrets"), 0o700);
    chmod(&token, 0o600);
    std::fs::write(
        daemon.home.join("config.toml"),
        format!(
            "agent = \"daemon\"\ndatabase = \"{}\"\n[[accounts]]\nname = \"x-kettle\"\nnetwork = \"x\"\n\
             handle = \"@kettlecrumb\"\napi_base = \"{}\"\ntoken_file = \"{}\"\n",
            db.display(),
            server.uri(),
            token.display()
        ),
    )
    .unwrap();

    // The agents: their own homes and configs, naming only the team database.
    let agent = |name: &'static str, uid: u32| {
        let person = Person {
            name,
            uid: users.then_some(uid),
            home: root.path().join(name),
        };
        std::fs::create_dir_all(&person.home).unwrap();
        std::fs::write(
            person.home.join("config.toml"),
            format!("agent = \"{name}\"\ndatabase = \"{}\"\n", db.display()),
        )
        .unwrap();
        if users {
            chown(&person.home, uid, TEAM_GID);
            chown(&person.home.join("config.toml"), uid, TEAM_GID);
        }
        person
    };
    let ana = agent("ana", ANA_UID);
    let bo = agent("bo", BO_UID);

    let sync_once = {
        let daemon = daemon.clone();
        move || {
            let output = daemon.run(&["sync", "--once"]);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    };
    tokio::task::spawn_blocking(sync_once.clone())
        .await
        .unwrap();
    if users {
        assert!(!ana.can_read(&token), "Ana's process cannot read the token");
        assert!(daemon.can_read(&token));
        // Roles: the admin (root, running the daemon) lists the team; Ana is an agent, and
        // hark will not let her change the rules.
        let admin = |args: &[&str]| {
            let output = daemon.run(args);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        admin(&["people", "add", "root", "--role", "admin"]);
        admin(&[
            "people",
            "add",
            &ANA_UID.to_string(),
            "--name",
            "Ana",
            "--role",
            "agent",
        ]);
        let refused = ana.run(&[
            "rules",
            "add",
            "Mine",
            "--when",
            "contains x",
            "--then",
            "tag X",
        ]);
        assert_eq!(
            refused.status.code(),
            Some(7),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("only an admin can change the rules")
        );
    }

    // Both inboxes open; Ana starts answering; Bo sees her.
    let tmux = Tmux::new("team");
    start_inbox(&tmux, "ana", &ana);
    start_inbox(&tmux, "bo", &bo);
    tmux.wait_for("ana", "Minji Kim");
    tmux.wait_for("bo", "Minji Kim");
    tmux.keys("ana", &["Enter"]);
    tmux.type_text("ana", "Sorry Minji, a new one ships today");
    let screen = tmux.wait_for("bo", "ana is replying");
    assert!(screen.contains("✎ana"), "{screen}");

    // Ana sends; the daemon, holding the token, delivers; Bo sees her reply sent.
    tmux.keys("ana", &["C-s"]);
    tmux.wait_for("ana", "Open 0");
    tokio::task::spawn_blocking(sync_once).await.unwrap();
    // Answered and closed: Bo finds it in the Closed folder.
    tmux.wait_for("bo", "Closed            1");
    tmux.keys("bo", &["h", "j", "j", "j", "j", "Enter"]);
    let screen = tmux.wait_for("bo", "✓ sent");
    assert!(
        screen.contains("Sorry Minji, a new one ships today"),
        "{screen}"
    );
    assert!(
        screen.contains("(ana)"),
        "the reply names its agent: {screen}"
    );

    // From the command line too, without the token: Bo's view of the conversation.
    let bo_view = {
        let bo = bo.clone();
        tokio::task::spawn_blocking(move || {
            bo.run(&["conversations", "list", "--folder", "closed", "--json"])
        })
        .await
        .unwrap()
    };
    assert!(
        bo_view.status.success(),
        "{}",
        String::from_utf8_lossy(&bo_view.stderr)
    );
    let listed: Value = serde_json::from_slice(&bo_view.stdout).unwrap();
    assert_eq!(listed["conversations"][0]["customer"]["name"], "Minji Kim");
    server.verify().await;
    let _ = (ana.name, bo.name, daemon.name);
}
