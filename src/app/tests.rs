use super::*;
use crate::model::{ConversationKind, NetworkKind, Status};

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
    }
}

fn loaded(count: i64, more: bool) -> AppState {
    let mut state = AppState::new("ana".into(), 0);
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
fn moving_stays_inside_the_list() {
    let mut state = loaded(3, false);
    update(&mut state, Action::MoveUp);
    assert_eq!(state.selected, 0);
    update(&mut state, Action::Bottom);
    assert_eq!(state.selected, 2);
    update(&mut state, Action::MoveDown);
    assert_eq!(state.selected, 2);
    update(&mut state, Action::Top);
    assert_eq!(state.selected, 0);
}

#[test]
fn nearing_the_end_of_the_window_loads_the_next_page_once() {
    let mut state = loaded(30, true);
    let mut effects = Vec::new();
    for _ in 0..12 {
        effects.extend(update(&mut state, Action::MoveDown));
    }
    assert_eq!(
        effects,
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
    assert!(
        update(&mut state, Action::Bottom).is_empty(),
        "no more pages to load"
    );
}

#[test]
fn a_reload_keeps_the_selected_conversation_selected() {
    let mut state = loaded(5, false);
    update(&mut state, Action::MoveDown);
    update(&mut state, Action::MoveDown);
    assert_eq!(state.selected_row().map(|r| r.id), Some(3));
    let effects = update(&mut state, Action::StoreChanged);
    assert!(effects.contains(&Effect::LoadCounts));
    // A new conversation arrived on top.
    let mut rows = vec![row(0)];
    rows.extend((1..=5).map(row));
    update(
        &mut state,
        Action::PageLoaded {
            folder: Folder::Open,
            rows,
            more: false,
            replace: true,
        },
    );
    assert_eq!(state.selected_row().map(|r| r.id), Some(3));
}

#[test]
fn sync_events_show_per_account() {
    let mut state = loaded(1, false);
    update(
        &mut state,
        Action::Sync(SyncEvent::Failed {
            account: "brand".into(),
            message: "timed out".into(),
            retry_in: Some(std::time::Duration::from_secs(10)),
        }),
    );
    assert_eq!(state.sync_status["brand"], "error: timed out; retry in 10s");
}
