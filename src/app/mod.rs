//! The inbox's state and the decisions on it. `update` is pure: it changes the state and
//! answers the effects (database work) the runtime must carry out. No I/O happens here.

pub mod keymap;

use std::collections::BTreeMap;

use crate::model::{Folder, Millis};
use crate::store::{ConversationRow, FolderCounts, PageCursor};
use crate::sync::SyncEvent;

/// Rows fetched per page of the conversation list.
pub const PAGE: usize = 100;
/// Load the next page when the selection comes this close to the end of what is loaded.
const PREFETCH_MARGIN: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub agent: String,
    pub folder: Folder,
    pub counts: FolderCounts,
    /// The loaded window of the folder, newest first.
    pub rows: Vec<ConversationRow>,
    /// Whether the store has more rows after the last loaded one.
    pub more: bool,
    /// A page load is under way (do not ask twice).
    pub loading: bool,
    pub selected: usize,
    /// Per account: what its sync last said.
    pub sync_status: BTreeMap<String, String>,
    /// The latest error, shown in the status bar until the next action.
    pub error: Option<String>,
    pub now: Millis,
    pub quit: bool,
}

/// Everything that can happen to the inbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    Quit,
    /// Something else changed the database (the sync, another process): reload what is shown.
    StoreChanged,
    /// A page of the folder arrived; `replace` when it is a reload from the top.
    PageLoaded {
        folder: Folder,
        rows: Vec<ConversationRow>,
        more: bool,
        replace: bool,
    },
    CountsLoaded(FolderCounts),
    Sync(SyncEvent),
    Failed(String),
    Tick(Millis),
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load `limit` rows of `folder` after `after`.
    LoadPage {
        folder: Folder,
        after: PageCursor,
        limit: usize,
        replace: bool,
    },
    LoadCounts,
}

impl AppState {
    pub fn new(agent: String, now: Millis) -> AppState {
        AppState {
            agent,
            folder: Folder::Open,
            counts: FolderCounts::default(),
            rows: Vec::new(),
            more: false,
            loading: false,
            selected: 0,
            sync_status: BTreeMap::new(),
            error: None,
            now,
            quit: false,
        }
    }

    pub fn selected_row(&self) -> Option<&ConversationRow> {
        self.rows.get(self.selected)
    }

    /// The effects that fill a fresh state.
    pub fn initial_effects(&mut self) -> Vec<Effect> {
        self.loading = true;
        vec![
            Effect::LoadPage {
                folder: self.folder.clone(),
                after: PageCursor::START,
                limit: PAGE,
                replace: true,
            },
            Effect::LoadCounts,
        ]
    }

    fn next_page_if_needed(&mut self) -> Vec<Effect> {
        if self.loading || !self.more || self.selected + PREFETCH_MARGIN < self.rows.len() {
            return Vec::new();
        }
        let Some(last) = self.rows.last() else {
            return Vec::new();
        };
        self.loading = true;
        vec![Effect::LoadPage {
            folder: self.folder.clone(),
            after: last.cursor(),
            limit: PAGE,
            replace: false,
        }]
    }
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::MoveDown => {
            if state.selected + 1 < state.rows.len() {
                state.selected += 1;
            }
            state.next_page_if_needed()
        }
        Action::MoveUp => {
            state.selected = state.selected.saturating_sub(1);
            Vec::new()
        }
        Action::Top => {
            state.selected = 0;
            Vec::new()
        }
        Action::Bottom => {
            state.selected = state.rows.len().saturating_sub(1);
            state.next_page_if_needed()
        }
        Action::Quit => {
            state.quit = true;
            Vec::new()
        }
        Action::StoreChanged => reload(state),
        Action::PageLoaded {
            folder,
            rows,
            more,
            replace,
        } => {
            if folder != state.folder {
                return Vec::new();
            }
            state.loading = false;
            state.more = more;
            if replace {
                let selected_id = state.selected_row().map(|row| row.id);
                state.rows = rows;
                state.selected = selected_id
                    .and_then(|id| state.rows.iter().position(|row| row.id == id))
                    .unwrap_or(state.selected)
                    .min(state.rows.len().saturating_sub(1));
            } else {
                state.rows.extend(rows);
            }
            Vec::new()
        }
        Action::CountsLoaded(counts) => {
            state.counts = counts;
            Vec::new()
        }
        Action::Sync(event) => {
            let changed_store = matches!(
                event,
                SyncEvent::Fetched { .. }
                    | SyncEvent::Delivered { .. }
                    | SyncEvent::DeliveryFailed { .. }
            );
            apply_sync_event(state, event);
            if changed_store {
                reload(state)
            } else {
                Vec::new()
            }
        }
        Action::Failed(message) => {
            state.loading = false;
            state.error = Some(message);
            Vec::new()
        }
        Action::Tick(now) => {
            state.now = now;
            Vec::new()
        }
    }
}

/// Reloads as much of the folder as is loaded now, so the selection keeps its place.
fn reload(state: &mut AppState) -> Vec<Effect> {
    state.loading = true;
    vec![
        Effect::LoadPage {
            folder: state.folder.clone(),
            after: PageCursor::START,
            limit: state.rows.len().max(PAGE),
            replace: true,
        },
        Effect::LoadCounts,
    ]
}

fn apply_sync_event(state: &mut AppState, event: SyncEvent) {
    let (account, text) = match event {
        SyncEvent::Started { account } => (account, "syncing…".to_string()),
        SyncEvent::Fetched {
            account, report, ..
        } => (account, format!("{} new", report.new_messages)),
        SyncEvent::Finished { account, .. } => (account, "up to date".to_string()),
        SyncEvent::Failed {
            account,
            message,
            retry_in,
        } => {
            let text = match retry_in {
                Some(wait) => format!("error: {message}; retry in {}s", wait.as_secs()),
                None => format!("error: {message}"),
            };
            (account, text)
        }
        SyncEvent::Delivered {
            account, action, ..
        } => (account, format!("{action} sent")),
        SyncEvent::DeliveryFailed {
            account,
            message,
            retry_in,
            ..
        } => {
            let text = match retry_in {
                Some(wait) => format!("send failed: {message}; retry in {}s", wait.as_secs()),
                None => format!("send failed: {message}"),
            };
            (account, text)
        }
    };
    state.sync_status.insert(account, text);
}

#[cfg(test)]
mod tests;
