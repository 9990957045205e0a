//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

pub mod tmux;

use chrono::{DateTime, TimeZone, Utc};
use hark::model::{
    ConversationKind, Direction, IncomingItem, NetworkKind, RemoteContact, RemoteMessage,
};
use hark::store::{NewAccount, Store};

pub fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

pub fn ms(minutes: i64) -> i64 {
    t(minutes).timestamp_millis()
}

pub fn customer(id: &str, name: &str) -> RemoteContact {
    RemoteContact {
        remote_id: id.into(),
        handle: id.to_lowercase(),
        name: Some(name.into()),
        avatar_url: None,
        bio: None,
        followers: None,
        profile_url: None,
    }
}

/// An inbound message `remote_id` in conversation `root`, written at minute `minute`.
pub fn inbound(root: &str, remote_id: &str, text: &str, minute: i64) -> IncomingItem {
    let who = customer("u1", "Layla Haddad");
    IncomingItem {
        kind: ConversationKind::Mention,
        root_remote_id: root.into(),
        subject: None,
        customer: who.clone(),
        message: RemoteMessage {
            remote_id: remote_id.into(),
            parent_remote_id: None,
            direction: Direction::In,
            author: who,
            text: text.into(),
            created_at: t(minute),
            liked: false,
            hidden: None,
            raw: serde_json::json!({ "id": remote_id, "text": text }).into(),
        },
    }
}

pub fn store_with_account(path: Option<&std::path::Path>) -> (Store, i64) {
    let mut store = match path {
        Some(path) => Store::open(path).unwrap(),
        None => Store::open_in_memory().unwrap(),
    };
    let id = store
        .upsert_account(
            &NewAccount {
                name: "brand".into(),
                network: NetworkKind::Demo,
                handle: "@brand".into(),
                remote_id: None,
                display_name: Some("Brand".into()),
                credentials_ref: None,
            },
            ms(0),
        )
        .unwrap();
    (store, id)
}

pub fn ingest(
    store: &mut Store,
    account: i64,
    items: &[IncomingItem],
    now_minute: i64,
) -> hark::store::IngestReport {
    store
        .ingest(
            account,
            NetworkKind::Demo,
            "inbox",
            items,
            None,
            ms(now_minute),
        )
        .unwrap()
}

/// hark with a private home, so no real config, database or log is touched.
pub fn hark_in(home: &std::path::Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(hark_process_in(home))
}

/// The same as a plain process, for a test that drives its pipes itself.
pub fn hark_process_in(home: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("hark"));
    command
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command
}
