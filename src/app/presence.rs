//! Teammates on one database: this inbox tells the others which conversation its person is
//! looking at or answering, shows theirs ("Ana is replying"), and holds a reply back when a
//! teammate answered the conversation while it was being written.

use super::composer::Composer;
use super::{AppState, Effect, Pane};
use crate::model::Activity;
use crate::store::Presence;

/// What this person is doing now: the conversation shown, and whether they are writing in it.
pub fn mine(state: &AppState) -> Option<(i64, Activity)> {
    let id = state.current_thread()?.detail.row.id;
    let writing = state.composer.as_ref().is_some_and(|c| {
        c.conversation_id == id && (state.focus == Pane::Composer || !c.is_empty())
    });
    Some((
        id,
        if writing {
            Activity::Replying
        } else {
            Activity::Viewing
        },
    ))
}

/// After every action: tell the others as soon as what this person does changes.
pub(super) fn follow(state: &mut AppState) -> Option<Effect> {
    let now = mine(state);
    (now != state.told_presence).then(|| {
        state.told_presence = now;
        Effect::SetPresence(now)
    })
}

/// The heartbeat: the same again (so that it does not expire), and the others' news.
pub(super) fn beat(state: &mut AppState) -> Vec<Effect> {
    state.told_presence = mine(state);
    vec![
        Effect::SetPresence(state.told_presence),
        Effect::LoadPresence,
    ]
}

/// Teammates in a conversation, those replying first.
pub fn others_in(state: &AppState, conversation_id: i64) -> Vec<&Presence> {
    let mut found: Vec<&Presence> = state
        .presence
        .iter()
        .filter(|p| p.conversation_id == conversation_id)
        .collect();
    found.sort_by_key(|p| (p.activity != Activity::Replying, p.agent.clone()));
    found.dedup_by(|a, b| a.agent == b.agent);
    found
}

/// "Ana is replying", "Ana and Bo are viewing", "Ana is replying, Bo is viewing".
pub fn describe(presences: &[&Presence]) -> Option<String> {
    let names = |activity: Activity| -> Vec<&str> {
        presences
            .iter()
            .filter(|p| p.activity == activity)
            .map(|p| p.agent.as_str())
            .collect()
    };
    let part = |names: Vec<&str>, verb: &str| match names.as_slice() {
        [] => None,
        [one] => Some(format!("{one} is {verb}")),
        [first @ .., last] => Some(format!("{} and {last} are {verb}", first.join(", "))),
    };
    let parts: Vec<String> = [
        part(names(Activity::Replying), "replying"),
        part(names(Activity::Viewing), "viewing"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A reply held back because `who` answered meanwhile: back to that conversation, with the
/// text in the composer and their reply named; sending again sends it anyway.
pub(super) fn teammate_replied(
    state: &mut AppState,
    conversation_id: i64,
    who: &str,
    text: &str,
    latest_message_id: i64,
    draft: &str,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(index) = state.rows.iter().position(|r| r.id == conversation_id) {
        state.selected = index;
    }
    match state.rows.iter().find(|r| r.id == conversation_id) {
        Some(row) => {
            let rules = state.reply_rules(row.account_id);
            let mut composer = Composer::new(conversation_id, draft, rules);
            composer.seen_up_to = Some(latest_message_id);
            state.composer = Some(composer);
            state.focus = Pane::Composer;
        }
        // No longer in this list: the text waits as the conversation's draft.
        None => effects.push(Effect::SaveDraft {
            conversation_id,
            draft: crate::store::Draft {
                body: draft.to_owned(),
                private_to: None,
            },
        }),
    }
    effects.push(Effect::LoadThread(conversation_id));
    let send = state
        .keymap
        .first_label(super::keymap::Command::SendCloseNext);
    let said: String = crate::text::sanitize_line(text).chars().take(60).collect();
    state.error = Some(format!(
        "{who} replied meanwhile: “{said}” — {send} sends yours as well, Esc keeps it as a draft"
    ));
    effects
}
