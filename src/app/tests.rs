use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::ConversationKind;

fn row(id: i64) -> ConversationRow {
    ConversationRow {
        id,
        account_id: 1,
        account: "demo".into(),
        network: NetworkKind::Demo,
        kind: ConversationKind::Mention,
        status: Status::Open,
        priority: 0,
        assignee: None,
        unread: true,
        snippet: format!("message {id}"),
        message_count: 1,
        last_message_at: 1_000_000 - id,
        last_inbound_at: None,
        first_response_at: None,
        snoozed_until: None,
        contact_handle: Some("x".into()),
        contact_name: None,
        tags: Vec::new(),
        assignment_unseen: false,
        waiting_since: None,
        sentiment: None,
    }
}

fn press(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn loaded(count: i64, more: bool) -> AppState {
    let mut state = AppState::new("ana".into(), Keymap::default(), BTreeMap::new(), 0);
    state.initial_effects();
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows: (1..=count).map(row).collect(),
            more,
            replace: true,
        },
    );
    state
}

#[test]
fn moving_stays_inside_the_list_and_follows_with_the_thread() {
    let mut state = loaded(3, false);
    press(&mut state, KeyCode::Char('k'));
    assert_eq!(state.selected, 0);
    let effects = press(&mut state, KeyCode::Char('G'));
    assert_eq!(state.selected, 2);
    assert_eq!(effects, vec![Effect::LoadThread(3)]);
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.selected, 2);
    press(&mut state, KeyCode::Char('g'));
    assert_eq!(state.selected, 0);
}

#[test]
fn nearing_the_end_of_the_window_loads_the_next_page_once() {
    let mut state = loaded(30, true);
    let mut pages = Vec::new();
    for _ in 0..12 {
        pages.extend(
            press(&mut state, KeyCode::Char('j'))
                .into_iter()
                .filter(|e| matches!(e, Effect::LoadPage { .. })),
        );
    }
    assert_eq!(
        pages,
        vec![Effect::LoadPage {
            folder: Folder::Open,
            after: row(30).cursor(),
            limit: PAGE,
            replace: false,
        }]
    );
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows: vec![row(31)],
            more: false,
            replace: false,
        },
    );
    assert_eq!(state.rows.len(), 31);
}

#[test]
fn once_chosen_a_conversation_stays_selected_when_the_list_changes() {
    let mut state = loaded(5, false);
    // Before any key the selection stays at the top while the list fills in.
    let mut rows = vec![row(0)];
    rows.extend((1..=5).map(row));
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows: rows.clone(),
            more: false,
            replace: true,
        },
    );
    assert_eq!(state.selected_row().map(|r| r.id), Some(0));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(state.selected_row().map(|r| r.id), Some(2));
    let mut newer = vec![row(-1)];
    newer.extend(rows);
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows: newer,
            more: false,
            replace: true,
        },
    );
    assert_eq!(state.selected_row().map(|r| r.id), Some(2));
}

#[test]
fn in_the_composer_keys_type_and_only_send_and_leave_command() {
    let mut state = loaded(3, false);
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Pane::Composer);
    for c in "jkq c".chars() {
        assert!(press(&mut state, KeyCode::Char(c)).is_empty());
    }
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('!'));
    assert_eq!(state.composer.as_ref().unwrap().text(), "jkq c\n!");
    assert!(!state.quit);
    let effects = press(&mut state, KeyCode::Esc);
    assert_eq!(state.focus, Pane::Thread);
    assert_eq!(
        effects,
        vec![Effect::SaveDraft {
            conversation_id: 1,
            draft: crate::store::Draft {
                body: "jkq c\n!".into(),
                private_to: None,
            },
        }]
    );
}

#[test]
fn send_close_next_names_the_next_open_conversation() {
    let mut state = loaded(4, false);
    state.rows[2].status = Status::Closed;
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('o'));
    press(&mut state, KeyCode::Char('k'));
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    assert_eq!(
        effects,
        vec![Effect::QueueReply {
            conversation_id: 2,
            text: "ok".into(),
            close: true,
            next: Some(4),
            seen_up_to: None
        }]
    );
    assert!(state.composer.is_none());
    let effects = update(
        &mut state,
        Action::ReplyQueued {
            conversation_id: 2,
            closed: true,
            next: Some(4),
        },
    );
    assert!(effects.contains(&Effect::WakeSync));
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows: vec![row(1), row(3), row(4)],
            more: false,
            replace: true,
        },
    );
    assert_eq!(state.selected_row().map(|r| r.id), Some(4));
}

#[test]
fn ctrl_c_quits_even_while_typing_and_keeps_the_draft() {
    let mut state = loaded(2, false);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('h'));
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(state.quit);
    assert_eq!(
        effects,
        vec![Effect::SaveDraft {
            conversation_id: 1,
            draft: crate::store::Draft {
                body: "h".into(),
                private_to: None,
            },
        }]
    );
}

#[test]
fn search_asks_the_store_as_you_type_and_ignores_stale_answers() {
    let mut state = loaded(3, false);
    press(&mut state, KeyCode::Char('/'));
    assert!(state.typing());
    assert_eq!(
        press(&mut state, KeyCode::Char('p')),
        vec![Effect::Search("p".into())]
    );
    assert_eq!(
        press(&mut state, KeyCode::Char('a')),
        vec![Effect::Search("pa".into())]
    );
    update(
        &mut state,
        Action::SearchResults {
            query: "p".into(),
            rows: vec![row(9)],
        },
    );
    assert_eq!(
        state.rows.len(),
        3,
        "the answer to an older query is dropped"
    );
    update(
        &mut state,
        Action::SearchResults {
            query: "pa".into(),
            rows: vec![row(7)],
        },
    );
    assert_eq!(state.rows[0].id, 7);
    press(&mut state, KeyCode::Enter);
    assert!(!state.typing());
}

#[test]
fn sync_events_show_per_account_and_new_items_reload() {
    let mut state = loaded(1, false);
    let effects = update(
        &mut state,
        Action::Sync(SyncEvent::Failed {
            account: "brand".into(),
            message: "timed out".into(),
            retry_in: Some(std::time::Duration::from_secs(10)),
        }),
    );
    assert!(effects.is_empty());
    assert_eq!(state.sync_status["brand"], "error: timed out; retry in 10s");
    let effects = update(
        &mut state,
        Action::Sync(SyncEvent::Fetched {
            account: "brand".into(),
            stream: "mentions".into(),
            report: crate::store::IngestReport::default(),
        }),
    );
    assert!(effects.contains(&Effect::LoadCounts));
}

#[test]
fn on_standby_the_syncing_process_troubles_are_read_from_the_database() {
    let mut state = loaded(1, false);
    // Before: the store changing reads nothing of the kind (this process syncs).
    assert!(!update(&mut state, Action::StoreChanged).contains(&Effect::LoadTroubles));
    let effects = update(
        &mut state,
        Action::Sync(SyncEvent::Standby {
            holder: "daemon@box".into(),
        }),
    );
    assert_eq!(effects, vec![Effect::LoadTroubles]);
    assert!(update(&mut state, Action::StoreChanged).contains(&Effect::LoadTroubles));
    let trouble = |subject: &str, text: &str| crate::store::Trouble {
        subject: subject.into(),
        text: text.into(),
    };
    update(
        &mut state,
        Action::TroublesLoaded(vec![
            trouble("brand", "error: mentions: the token has expired"),
            trouble("slack:support", "failed: channel_not_found (HTTP 404)"),
        ]),
    );
    assert_eq!(
        state.recorded_troubles["brand"],
        "error: mentions: the token has expired"
    );
    // Mended meanwhile: nothing left to show.
    update(&mut state, Action::TroublesLoaded(Vec::new()));
    assert!(state.recorded_troubles.is_empty());

    // This process takes the sync over: its own events speak again.
    update(
        &mut state,
        Action::TroublesLoaded(vec![trouble("brand", "error: mentions: x")]),
    );
    update(
        &mut state,
        Action::Sync(SyncEvent::Started {
            account: "brand".into(),
        }),
    );
    assert!(state.recorded_troubles.is_empty());
    assert!(!state.sync_status.contains_key("sync"));
    assert!(!update(&mut state, Action::StoreChanged).contains(&Effect::LoadTroubles));
}

#[test]
fn bottom_in_a_long_folder_loads_on_and_lands_on_the_last() {
    let mut state = loaded(30, true);
    let effects = press(&mut state, KeyCode::Char('G'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadPage {
            limit: BOTTOM_JUMP,
            replace: false,
            ..
        }]
    ));
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows: (31..=45).map(row).collect(),
            more: false,
            replace: false,
        },
    );
    assert_eq!(state.selected_row().map(|r| r.id), Some(45));
}

fn article(name: &str, url: &str) -> crate::integrations::helpscout::Article {
    crate::integrations::helpscout::Article {
        id: "1".into(),
        name: name.into(),
        preview: "Send it back within 30 days.".into(),
        url: url.into(),
    }
}

#[test]
fn question_marks_search_help_scout_docs_and_enter_inserts_the_summary_and_link() {
    use crate::app::docs_picker::DocsResults;
    let mut state = loaded(1, false);
    state.docs_enabled = true;
    press(&mut state, KeyCode::Enter);
    for c in "Hi! really??".chars() {
        assert!(press(&mut state, KeyCode::Char(c)).is_empty(), "{c}");
    }
    assert!(
        state.composer.as_ref().unwrap().docs.is_none(),
        "?? inside a word is text"
    );
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('?'));
    assert!(
        press(&mut state, KeyCode::Char('?')).is_empty(),
        "nothing typed, nothing searched"
    );
    let mut asked = Vec::new();
    for c in "ret".chars() {
        asked.extend(press(&mut state, KeyCode::Char(c)));
    }
    assert_eq!(
        asked,
        ["r", "re", "ret"].map(|q| Effect::SearchDocs(q.into()))
    );
    // An answer to an older query is dropped; the current one is shown.
    let found = |q: &str| Action::DocsFound {
        query: q.into(),
        results: DocsResults::Found {
            articles: vec![
                article("Returns", "https://h.example/12"),
                article("Refunds", "https://h.example/13"),
            ],
            note: None,
        },
    };
    update(&mut state, found("re"));
    let docs = state.composer.as_ref().unwrap().docs.as_ref().unwrap();
    assert_eq!(docs.results, DocsResults::Searching);
    update(&mut state, found("ret"));
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let composer = state.composer.as_ref().unwrap();
    assert!(composer.docs.is_none());
    assert_eq!(
        composer.text(),
        "Hi! really?? Refunds: Send it back within 30 days. https://h.example/13"
    );
    assert_eq!(state.focus, Pane::Composer);
}

#[test]
fn without_help_scout_question_marks_are_just_text_and_esc_keeps_them() {
    let mut state = loaded(1, false);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('?'));
    press(&mut state, KeyCode::Char('?'));
    assert!(state.composer.as_ref().unwrap().docs.is_none());

    assert_eq!(state.composer.as_ref().unwrap().text(), "??");

    let mut state = loaded(1, false);
    state.docs_enabled = true;
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('?'));
    press(&mut state, KeyCode::Char('?'));
    assert!(state.composer.as_ref().unwrap().docs.is_some());
    // Enter with nothing found yet does not break the line.
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.composer.as_ref().unwrap().text(), "??");
    press(&mut state, KeyCode::Esc);
    let composer = state.composer.as_ref().unwrap();
    assert!(composer.docs.is_none());
    assert_eq!(composer.text(), "??");
    assert_eq!(state.focus, Pane::Composer);
}
