//! What each command does to the state.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::composer::{Composer, NotSendable};
use super::keymap::Command;
use super::{AppState, Effect, Pane, Search};
use crate::model::{Direction, Status};
use crate::store::PageCursor;

pub(super) fn run(state: &mut AppState, command: Command) -> Vec<Effect> {
    match command {
        Command::MoveDown => move_by(state, 1),
        Command::MoveUp => move_by(state, -1),
        Command::Top => move_by(state, isize::MIN),
        Command::Bottom => move_by(state, isize::MAX),
        Command::NextPane => {
            state.focus = match state.focus {
                Pane::Folders => Pane::List,
                Pane::List => Pane::Thread,
                Pane::Thread | Pane::Composer => Pane::Folders,
            };
            Vec::new()
        }
        Command::PreviousPane => {
            state.focus = match state.focus {
                Pane::Folders => Pane::Thread,
                Pane::List => Pane::Folders,
                Pane::Thread | Pane::Composer => Pane::List,
            };
            Vec::new()
        }
        Command::PaneLeft => {
            state.focus = match state.focus {
                Pane::Thread | Pane::Composer => Pane::List,
                Pane::List | Pane::Folders => Pane::Folders,
            };
            Vec::new()
        }
        Command::PaneRight => match state.focus {
            Pane::Folders => open_folder(state),
            _ => {
                state.focus = Pane::Thread;
                Vec::new()
            }
        },
        Command::Activate => match state.focus {
            Pane::Folders => open_folder(state),
            _ => compose(state),
        },
        Command::Leave => leave(state),
        Command::ToggleClosed => super::triage::close_or_reopen(state),
        Command::Tag => super::triage::open_tags(state),
        Command::Assign => super::triage::open_assign(state),
        Command::Snooze => {
            if !super::triage::targets(state).is_empty() {
                state.overlay = Some(super::triage::Overlay::Snooze {
                    typed: String::new(),
                });
            }
            Vec::new()
        }
        Command::Priority => super::triage::cycle_priority(state),
        Command::Sort => {
            state.sort = state.sort.next();
            state.notice = Some(format!("Sorted {}", state.sort.label()));
            state.rows.clear();
            state.selected = 0;
            state.reload()
        }
        Command::Mark => {
            super::triage::toggle_mark(state);
            move_by(state, 1)
        }
        Command::Note => {
            super::triage::open_note(state);
            Vec::new()
        }
        Command::Profile => super::triage::toggle_profile(state),
        Command::Retry | Command::EditFailed => {
            let Some(thread) = state.current_thread() else {
                return Vec::new();
            };
            let messages = &thread.detail.messages;
            let chosen = match (state.focus, thread.selected) {
                (Pane::Thread, Some(index)) => messages.get(index),
                _ => messages
                    .iter()
                    .rev()
                    .find(|m| m.delivery == Some(crate::model::Delivery::Failed)),
            };
            match chosen.filter(|m| m.delivery == Some(crate::model::Delivery::Failed)) {
                // The sync delivers it within seconds (at once if it is idle and hears the wake).
                Some(message) if command == Command::Retry => {
                    vec![Effect::RetryFailed(message.id), Effect::WakeSync]
                }
                Some(message) => vec![Effect::EditFailed {
                    conversation_id: thread.detail.row.id,
                    message_id: message.id,
                }],
                None => {
                    state.error = Some("There is no failed reply here".into());
                    Vec::new()
                }
            }
        }
        Command::Hide => {
            let Some(thread) = state.current_thread() else {
                return Vec::new();
            };
            let messages = &thread.detail.messages;
            let chosen = match (state.focus, thread.selected) {
                (Pane::Thread, Some(index)) => messages.get(index),
                _ => messages
                    .iter()
                    .rev()
                    .find(|m| m.direction == crate::model::Direction::In),
            };
            let network = thread.detail.row.network;
            let can_hide = state
                .accounts
                .get(&thread.detail.row.account_id)
                .is_some_and(|a| a.can_hide);
            // Only replies under the brand's own post can be hidden; where the root is in the
            // thread, say so at once rather than after a round trip.
            let root_id = thread.detail.root_remote_id.as_str();
            let root = messages
                .iter()
                .find(|m| m.remote_id.as_deref() == Some(root_id));
            let under_brand_post = root.is_none_or(|r| r.direction == crate::model::Direction::Out);
            match chosen.filter(|m| m.direction == crate::model::Direction::In) {
                Some(_) if !can_hide => {
                    state.error = Some(format!("{} has no way to hide a reply", network.label()));
                    Vec::new()
                }
                Some(message)
                    if !under_brand_post || message.remote_id.as_deref() == Some(root_id) =>
                {
                    state.error =
                        Some("Only replies under the brand's own post can be hidden".into());
                    Vec::new()
                }
                Some(message) => vec![
                    Effect::QueueHide {
                        message_id: message.id,
                        hide: !message.hidden,
                    },
                    Effect::WakeSync,
                ],
                None => {
                    state.error = Some("There is no customer reply to hide here".into());
                    Vec::new()
                }
            }
        }
        Command::PrivateReply => super::private_reply::open(state),
        Command::Report => super::report_view::open(state),
        Command::OpenEditor => open_editor(state),
        Command::OpenPost => find_post(state, super::LinkUse::Open),
        Command::CopyLink => find_post(state, super::LinkUse::Copy),
        Command::Rules => {
            state.overlay = Some(super::triage::Overlay::Rules);
            Vec::new()
        }
        Command::ToggleLike => toggle_like(state),
        Command::SendCloseNext => send_close_next(state),
        Command::Search => {
            state.search = Some(Search {
                query: String::new(),
                editing: true,
                results_for: None,
            });
            state.focus = Pane::List;
            Vec::new()
        }
        Command::SavedReplies => {
            state.replies_manager = Some(super::manager::RepliesManager::new());
            vec![Effect::LoadSavedReplies]
        }
        Command::Help => {
            state.help = true;
            Vec::new()
        }
        Command::Quit => {
            state.quit = true;
            state.put_composer_away()
        }
    }
}

/// Moves the cursor of the focused pane; `isize::MIN`/`MAX` jump to the first/last.
fn move_by(state: &mut AppState, step: isize) -> Vec<Effect> {
    let jump = |current: usize, len: usize| -> usize {
        match step {
            isize::MIN => 0,
            isize::MAX => len.saturating_sub(1),
            _ => current
                .saturating_add_signed(step)
                .min(len.saturating_sub(1)),
        }
    };
    match state.focus {
        Pane::Folders => {
            state.folder_cursor = jump(state.folder_cursor, state.folder_entries().len());
            Vec::new()
        }
        Pane::Thread => {
            if let Some(thread) = state.thread.as_mut() {
                let len = thread.detail.messages.len();
                let current = thread.selected.unwrap_or(len.saturating_sub(1));
                thread.selected = Some(jump(current, len));
            }
            Vec::new()
        }
        Pane::List | Pane::Composer => {
            state.selected = jump(state.selected, state.rows.len());
            if step == isize::MAX && state.more && !state.loading && state.search.is_none() {
                return state.load_to_bottom();
            }
            let mut effects = state.next_page_if_needed();
            effects.extend(state.follow_selection());
            effects
        }
    }
}

fn open_folder(state: &mut AppState) -> Vec<Effect> {
    let Some((folder, ..)) = state.folder_entries().into_iter().nth(state.folder_cursor) else {
        return Vec::new();
    };
    let mut effects = state.put_composer_away();
    state.search = None;
    state.marked.clear();
    state.folder = folder.clone();
    state.rows.clear();
    state.selected = 0;
    state.thread = None;
    state.loading = true;
    state.focus = Pane::List;
    effects.push(Effect::LoadPage {
        folder,
        after: PageCursor::start(state.sort),
        limit: super::PAGE,
        replace: true,
    });
    effects
}

fn compose(state: &mut AppState) -> Vec<Effect> {
    let Some(row) = state.selected_row() else {
        state.error = Some("No conversation selected".into());
        return Vec::new();
    };
    let (id, account_id) = (row.id, row.account_id);
    if state
        .composer
        .as_ref()
        .is_none_or(|c| c.conversation_id != id)
    {
        let rules = state.reply_rules(account_id);
        let mut composer = Composer::new(id, "", rules);
        composer.seen_up_to = state.latest_message_id(id);
        if state.docs_enabled {
            composer.enable_docs();
        }
        state.composer = Some(composer);
    }
    state.focus = Pane::Composer;
    Vec::new()
}

fn find_post(state: &mut AppState, use_: super::LinkUse) -> Vec<Effect> {
    match state.selected_row() {
        Some(row) => vec![Effect::FindPostUrl {
            conversation_id: row.id,
            use_,
        }],
        None => {
            state.error = Some("No conversation selected".into());
            Vec::new()
        }
    }
}

/// The reply goes to the person's editor: the composer's draft, or a new one for the selected
/// conversation.
fn open_editor(state: &mut AppState) -> Vec<Effect> {
    if state.focus != Pane::Composer {
        // The selected conversation's composer (its draft if it has one).
        compose(state);
    }
    let Some(composer) = state.composer.as_ref() else {
        return Vec::new();
    };
    vec![Effect::OpenEditor {
        conversation_id: composer.conversation_id,
        text: composer.text(),
    }]
}

fn leave(state: &mut AppState) -> Vec<Effect> {
    if state.help {
        state.help = false;
        return Vec::new();
    }
    if state.focus == Pane::Composer {
        state.focus = Pane::Thread;
        let Some(composer) = state.composer.as_mut() else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if let Some(draft) = composer.take_unsaved() {
            effects.push(Effect::SaveDraft {
                conversation_id: composer.conversation_id,
                draft,
            });
        }
        if composer.is_empty() {
            state.composer = None;
        }
        return effects;
    }
    if !state.marked.is_empty() {
        state.marked.clear();
        return Vec::new();
    }
    if state.search.is_some() {
        // Back to the folder the search was started from.
        state.search = None;
        state.rows.clear();
        state.selected = 0;
        state.loading = true;
        return vec![Effect::LoadPage {
            folder: state.folder.clone(),
            after: PageCursor::start(state.sort),
            limit: super::PAGE,
            replace: true,
        }];
    }
    Vec::new()
}

fn toggle_like(state: &mut AppState) -> Vec<Effect> {
    let Some(thread) = state.current_thread() else {
        let Some(row) = state.selected_row() else {
            return Vec::new();
        };
        // The thread is not loaded yet: like the customer's latest message.
        return vec![Effect::QueueLike {
            conversation_id: row.id,
            message_id: None,
            like: true,
        }];
    };
    let messages = &thread.detail.messages;
    let chosen = match (state.focus, thread.selected) {
        (Pane::Thread, Some(index)) => messages.get(index),
        _ => messages
            .iter()
            .rev()
            .find(|m| m.direction == Direction::In && m.remote_id.is_some()),
    };
    let Some(message) = chosen else {
        state.error = Some("There is no customer message to like here".into());
        return Vec::new();
    };
    if message.direction == Direction::Out {
        state.error = Some("That is our own message; likes are for the customer's".into());
        return Vec::new();
    }
    if message.remote_id.is_none() {
        state.error = Some("That message has not reached the network yet".into());
        return Vec::new();
    }
    vec![Effect::QueueLike {
        conversation_id: thread.detail.row.id,
        message_id: Some(message.id),
        like: !message.liked,
    }]
}

fn send_close_next(state: &mut AppState) -> Vec<Effect> {
    let Some(composer) = state.composer.as_ref() else {
        let enter = state.keymap.first_label(Command::Activate);
        state.error = Some(format!("Nothing to send: press {enter} to write a reply"));
        return Vec::new();
    };
    let text = match composer.check() {
        Ok(text) => text,
        Err(NotSendable::Empty) => {
            state.error = Some("Nothing to send: the reply is empty".into());
            return Vec::new();
        }
        Err(NotSendable::TooLong { length, limit }) => {
            let network = state
                .thread
                .as_ref()
                .map_or("this network", |t| t.detail.row.network.label());
            state.error = Some(format!(
                "Not sent: the reply is {length} characters and {network} takes at most {limit}"
            ));
            return Vec::new();
        }
    };
    if composer.private.is_none()
        && let Some((window, human_agent)) = state.reply_window()
        && let Some(reason) = window.refusal(human_agent)
    {
        state.error = Some(format!("Not sent: {reason}"));
        return Vec::new();
    }
    let unfilled = super::placeholders::unfilled_in(&text);
    if !unfilled.is_empty() && !state.confirm_send {
        state.confirm_send = true;
        let send = state.keymap.first_label(Command::SendCloseNext);
        state.error = Some(format!(
            "{} not filled in: press {send} again to send it as it is",
            unfilled.join(", ")
        ));
        return Vec::new();
    }
    state.confirm_send = false;
    let conversation_id = composer.conversation_id;
    // The next conversation of the folder, to land on once this one is closed.
    let position = state.rows.iter().position(|row| row.id == conversation_id);
    let next = position.and_then(|i| {
        state
            .rows
            .iter()
            .skip(i + 1)
            .chain(state.rows.iter().take(i).rev())
            .find(|row| row.status == Status::Open)
            .map(|row| row.id)
    });
    let effect = match &composer.private {
        Some(target) => {
            match super::private_reply::send(state, target, conversation_id, text, next) {
                Ok(effect) => effect,
                Err(reason) => {
                    state.error = Some(reason);
                    return Vec::new();
                }
            }
        }
        None => Effect::QueueReply {
            conversation_id,
            text,
            close: true,
            next,
            seen_up_to: composer.seen_up_to,
        },
    };
    state.composer = None;
    state.focus = Pane::List;
    vec![effect]
}

/// Typing in the search prompt: every change searches again (the store answers quickly).
pub(super) fn edit_search(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(search) = state.search.as_mut() else {
        return Vec::new();
    };
    let changed = match key.code {
        KeyCode::Enter => {
            search.editing = false;
            return Vec::new();
        }
        KeyCode::Backspace => search.query.pop().is_some(),
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            search.query.clear();
            true
        }
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            search.query.push(c);
            true
        }
        _ => false,
    };
    if !changed {
        return Vec::new();
    }
    state.selected = 0;
    if search.query.trim().is_empty() {
        search.results_for = None;
        return Vec::new();
    }
    vec![Effect::Search(search.query.clone())]
}

/// Keys the open `##` picker takes: move, insert, close. Others (None) go on to the composer.
pub(super) fn picker_key(state: &mut AppState, key: KeyEvent) -> Option<Vec<Effect>> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let composer = state.composer.as_mut()?;
    if let Some(docs) = composer.docs.as_mut() {
        match key.code {
            KeyCode::Up => docs.move_by(-1),
            KeyCode::Char('p') if ctrl => docs.move_by(-1),
            KeyCode::Down => docs.move_by(1),
            KeyCode::Char('n') if ctrl => docs.move_by(1),
            KeyCode::Esc => composer.close_picker(),
            KeyCode::Enter | KeyCode::Tab if key.modifiers.is_empty() => {
                if docs.chosen().is_none() {
                    // Nothing to insert yet: Enter waits for results rather than breaking
                    // the line in the middle of a search.
                    return Some(Vec::new());
                }
                if let Some(article) = composer.insert_article() {
                    state.notice = Some(format!(
                        "Inserted “{}”",
                        crate::text::sanitize_line(&article.name)
                    ));
                }
            }
            _ => return None,
        }
        return Some(Vec::new());
    }
    let picker = composer.picker.as_mut()?;
    match key.code {
        KeyCode::Up => picker.move_by(-1),
        KeyCode::Char('p') if ctrl => picker.move_by(-1),
        KeyCode::Down => picker.move_by(1),
        KeyCode::Char('n') if ctrl => picker.move_by(1),
        KeyCode::Esc => composer.close_picker(),
        KeyCode::Enter | KeyCode::Tab if key.modifiers.is_empty() => {
            let values = state.placeholder_values();
            let composer = state.composer.as_mut()?;
            let conversation_id = composer.conversation_id;
            let inserted = composer.insert_chosen(&state.saved_replies, &values)?;
            if !inserted.unfilled.is_empty() {
                let names: Vec<String> = inserted
                    .unfilled
                    .iter()
                    .map(|n| format!("{{{n}}}"))
                    .collect();
                state.notice = Some(format!(
                    "No value for {}: fill it in before sending",
                    names.join(", ")
                ));
            }
            return Some(vec![Effect::RecordSavedReplyUse {
                saved_reply_id: inserted.saved_reply_id,
                conversation_id,
            }]);
        }
        _ => return None,
    }
    Some(Vec::new())
}
