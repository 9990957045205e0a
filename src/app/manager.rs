//! Managing saved replies in the inbox: a list to browse, and a form to create or edit one.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

use super::{AppState, Effect};
use crate::store::{SavedReply, SavedReplyDraft};

/// The fields of the form, in Tab order.
pub const FIELDS: [&str; 4] = ["Title", "Shortcut", "Tags", "Body"];

#[derive(Debug, Clone)]
pub struct RepliesManager {
    pub selected: usize,
    pub form: Option<ReplyForm>,
    /// `d` was pressed: the next `y` deletes the selected reply.
    pub confirm_delete: bool,
}

#[derive(Debug, Clone)]
pub struct ReplyForm {
    /// None for a new reply.
    pub id: Option<i64>,
    /// Index into [`FIELDS`].
    pub field: usize,
    pub inputs: [TextArea<'static>; 4],
}

impl ReplyForm {
    fn new(reply: Option<&SavedReply>) -> ReplyForm {
        let area = |text: &str| {
            let mut area = TextArea::new(text.split('\n').map(str::to_owned).collect());
            area.move_cursor(CursorMove::Bottom);
            area.move_cursor(CursorMove::End);
            area
        };
        let (title, shortcut, tags, body) = match reply {
            Some(r) => (
                r.title.clone(),
                r.shortcut.clone().unwrap_or_default(),
                r.tags.join(", "),
                r.body.clone(),
            ),
            None => Default::default(),
        };
        ReplyForm {
            id: reply.map(|r| r.id),
            field: 0,
            inputs: [area(&title), area(&shortcut), area(&tags), area(&body)],
        }
    }

    fn value(&self, field: usize) -> String {
        self.inputs[field].lines().join("\n")
    }

    pub fn draft(&self) -> SavedReplyDraft {
        let shortcut = self.value(1).trim().to_owned();
        SavedReplyDraft {
            title: self.value(0).trim().to_owned(),
            body: self.value(3),
            shortcut: (!shortcut.is_empty()).then_some(shortcut),
            tags: self
                .value(2)
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }
}

impl RepliesManager {
    pub fn new() -> RepliesManager {
        RepliesManager {
            selected: 0,
            form: None,
            confirm_delete: false,
        }
    }
}

impl Default for RepliesManager {
    fn default() -> Self {
        RepliesManager::new()
    }
}

/// Every key while the manager is open comes here.
pub(super) fn key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let count = state.saved_replies.len();
    let Some(manager) = state.replies_manager.as_mut() else {
        return Vec::new();
    };
    if let Some(form) = manager.form.as_mut() {
        return form_key(form, key).map_or_else(Vec::new, |outcome| match outcome {
            FormOutcome::Cancel => {
                manager.form = None;
                Vec::new()
            }
            FormOutcome::Save(id, draft) => {
                if let Err(err) = draft.validate() {
                    state.error = Some(err.to_string());
                    return Vec::new();
                }
                manager.form = None;
                vec![Effect::SaveSavedReply { id, draft }]
            }
        });
    }
    let confirming = std::mem::take(&mut manager.confirm_delete);
    let changes = matches!(
        key.code,
        KeyCode::Char('a' | 'e' | 'd' | 'y') | KeyCode::Enter
    );
    if changes && state.role == crate::model::Role::Agent {
        state.error =
            Some("Only an admin can change saved replies; ## in the composer uses them".into());
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => state.replies_manager = None,
        KeyCode::Char('j') | KeyCode::Down => {
            manager.selected = (manager.selected + 1).min(count.saturating_sub(1));
        }
        KeyCode::Char('k') | KeyCode::Up => manager.selected = manager.selected.saturating_sub(1),
        KeyCode::Char('a') => manager.form = Some(ReplyForm::new(None)),
        KeyCode::Char('e') | KeyCode::Enter => {
            if let Some(reply) = state.saved_replies.get(manager.selected) {
                manager.form = Some(ReplyForm::new(Some(reply)));
            }
        }
        KeyCode::Char('d') => {
            if let Some(reply) = state.saved_replies.get(manager.selected) {
                manager.confirm_delete = true;
                state.notice = Some(format!(
                    "Delete “{}”? y to delete, any other key keeps it",
                    reply.title
                ));
            }
        }
        KeyCode::Char('y') if confirming => {
            if let Some(reply) = state.saved_replies.get(manager.selected) {
                let id = reply.id;
                manager.selected = manager.selected.saturating_sub(1);
                return vec![Effect::DeleteSavedReply(id)];
            }
        }
        _ => {}
    }
    Vec::new()
}

enum FormOutcome {
    Cancel,
    Save(Option<i64>, SavedReplyDraft),
}

fn form_key(form: &mut ReplyForm, key: KeyEvent) -> Option<FormOutcome> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return Some(FormOutcome::Cancel),
        KeyCode::Char('s') if ctrl => return Some(FormOutcome::Save(form.id, form.draft())),
        KeyCode::Tab => form.field = (form.field + 1) % FIELDS.len(),
        KeyCode::BackTab => form.field = (form.field + FIELDS.len() - 1) % FIELDS.len(),
        // Enter ends a one-line field; in the body it starts a new line.
        KeyCode::Enter if form.field < 3 => form.field += 1,
        _ => {
            form.inputs[form.field].input(key);
        }
    }
    None
}
