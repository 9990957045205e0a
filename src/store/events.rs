//! The append-only events log: who did what, when. Reports are computed from it (and from the
//! messages themselves), so every change a person or the sync makes to a conversation writes one
//! row here in the same transaction. A message's arrival is not an event: its row says when.

use rusqlite::{Row, Transaction, params};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::model::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ConversationCreated,
    Reopened,
    Closed,
    Snoozed,
    ReplyQueued,
    ReplySent,
    ReplyFailed,
    Liked,
    Unliked,
    ActionFailed,
    SavedReplyUsed,
    Tagged,
    Untagged,
    Assigned,
    Unassigned,
    Prioritised,
    NoteAdded,
    ContactUpdated,
    ContactNoteAdded,
    ContactsLinked,
    /// A conversation waited past its response-time target (recorded once per wait).
    SlaBreached,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ConversationCreated => "conversation_created",
            EventKind::Reopened => "reopened",
            EventKind::Closed => "closed",
            EventKind::Snoozed => "snoozed",
            EventKind::ReplyQueued => "reply_queued",
            EventKind::ReplySent => "reply_sent",
            EventKind::ReplyFailed => "reply_failed",
            EventKind::Liked => "liked",
            EventKind::Unliked => "unliked",
            EventKind::ActionFailed => "action_failed",
            EventKind::SavedReplyUsed => "saved_reply_used",
            EventKind::Tagged => "tagged",
            EventKind::Untagged => "untagged",
            EventKind::Assigned => "assigned",
            EventKind::Unassigned => "unassigned",
            EventKind::Prioritised => "prioritised",
            EventKind::NoteAdded => "note_added",
            EventKind::ContactUpdated => "contact_updated",
            EventKind::ContactNoteAdded => "contact_note_added",
            EventKind::ContactsLinked => "contacts_linked",
            EventKind::SlaBreached => "sla_breached",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: Millis,
    pub actor: String,
    pub kind: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    pub data: String,
}

/// The actor name the sync engine writes events as.
pub const SYNC_ACTOR: &str = "sync";

pub(super) fn record_event(
    tx: &Transaction<'_>,
    at: Millis,
    actor: &str,
    kind: EventKind,
    conversation_id: Option<i64>,
    message_id: Option<i64>,
    data: &serde_json::Value,
) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO events (at, actor, kind, account_id, conversation_id, message_id, data)
         VALUES (?1, ?2, ?3,
                 (SELECT account_id FROM conversations WHERE id = ?4), ?4, ?5, ?6)",
    )?
    .execute(params![
        at,
        actor,
        kind.as_str(),
        conversation_id,
        message_id,
        data.to_string()
    ])?;
    Ok(())
}

pub(super) fn event_from(row: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        kind: row.get(3)?,
        conversation_id: row.get(4)?,
        message_id: row.get(5)?,
        data: row.get(6)?,
    })
}

impl Store {
    /// The events of one conversation, oldest first.
    pub fn conversation_events(&self, conversation_id: i64) -> StoreResult<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, kind, conversation_id, message_id, data FROM events
             WHERE conversation_id = ?1 ORDER BY at, id",
        )?;
        Ok(stmt
            .query_map([conversation_id], event_from)?
            .collect::<rusqlite::Result<_>>()?)
    }
}
