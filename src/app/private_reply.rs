//! Private replies: a public comment answered in its author's private inbox. Facebook and
//! Instagram take one per comment, within 7 days of it; the composer says which comment and
//! how long is left, and refuses once the time is up.

use super::composer::{Composer, PrivateTarget};
use super::{AppState, Effect, Pane};
use crate::model::{ConversationKind, Delivery, Direction};

/// `P`: opens the composer as a private reply to the selected comment (or the customer's
/// latest one); on a composer already private to it, makes it a public reply again.
pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
    let target = match choose_target(state) {
        Ok(target) => target,
        Err(reason) => {
            state.error = Some(reason);
            return Vec::new();
        }
    };
    let Some(thread) = state.current_thread() else {
        return Vec::new();
    };
    let (id, account_id) = (thread.detail.row.id, thread.detail.row.account_id);
    match state.composer.as_mut() {
        Some(composer) if composer.conversation_id == id => {
            if composer.private.as_ref() == Some(&target) {
                composer.private = None;
                state.notice = Some("A public reply again".into());
            } else {
                composer.private = Some(target);
            }
        }
        _ => {
            let rules = state.reply_rules(account_id);
            state.composer = Some(Composer::new_private(id, "", rules, target));
        }
    }
    state.focus = Pane::Composer;
    Vec::new()
}

/// The comment `P` answers, or why there is none.
fn choose_target(state: &AppState) -> Result<PrivateTarget, String> {
    let thread = state
        .current_thread()
        .ok_or("The conversation is still loading")?;
    let row = &thread.detail.row;
    let account = state.accounts.get(&row.account_id);
    if account.is_none_or(|a| a.private_reply.is_none()) {
        return Err(format!("{} has no private replies", row.network.label()));
    }
    if !matches!(
        row.kind,
        ConversationKind::Comment | ConversationKind::AdComment
    ) {
        return Err("A private reply answers a comment; this conversation has none".into());
    }
    let messages = &thread.detail.messages;
    let chosen = match (state.focus, thread.selected) {
        (Pane::Thread, Some(index)) => messages.get(index),
        _ => messages
            .iter()
            .rev()
            .find(|m| m.direction == Direction::In && m.remote_id.is_some()),
    };
    let comment = chosen
        .filter(|m| m.direction == Direction::In)
        .ok_or("Choose one of the customer's comments to answer privately")?;
    let comment_remote = comment
        .remote_id
        .as_deref()
        .ok_or("That comment has not reached the network")?;
    let answered = messages.iter().any(|m| {
        m.private
            && m.parent_remote_id.as_deref() == Some(comment_remote)
            && m.delivery != Some(Delivery::Failed)
    });
    if answered {
        return Err("That comment already had its private reply (one per comment)".into());
    }
    let target = state
        .private_target(comment.id)
        .ok_or("That comment is not in this conversation")?;
    if state.now > target.closes_at {
        return Err(format!(
            "{} wrote that comment too long ago: a private reply is only possible within {} days",
            comment.author_name,
            (target.closes_at - comment.created_at) / DAY
        ));
    }
    Ok(target)
}

const DAY: i64 = 24 * 60 * 60 * 1000;

/// How long a private reply stays possible, for the composer's title ("3d left", "5h left").
pub fn time_left(target: &PrivateTarget, now: i64) -> Option<String> {
    let left = target.closes_at - now;
    if left <= 0 {
        return None;
    }
    let hours = left / (60 * 60 * 1000);
    Some(if hours >= 48 {
        format!("{}d left", hours / 24)
    } else if hours >= 1 {
        format!("{hours}h left")
    } else {
        format!("{}m left", (left / 60_000).max(1))
    })
}

/// The effect that sends a private reply, or why it cannot go.
pub(super) fn send(
    state: &AppState,
    target: &PrivateTarget,
    conversation_id: i64,
    text: String,
    next: Option<i64>,
) -> Result<Effect, String> {
    if time_left(target, state.now).is_none() {
        return Err(format!(
            "Not sent: a private reply to {} was possible until {}",
            target.author,
            crate::model::from_millis(target.closes_at).format("%b %-d %H:%M UTC")
        ));
    }
    let max_age = state
        .thread
        .as_ref()
        .and_then(|t| state.accounts.get(&t.detail.row.account_id))
        .and_then(|a| a.private_reply)
        .ok_or("Not sent: this account has no private replies")?;
    Ok(Effect::QueuePrivateReply {
        conversation_id,
        comment_id: target.message_id,
        text,
        max_age,
        next,
    })
}
