//! Messages of a conversation.

use rusqlite::{OptionalExtension, Row};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::model::{Delivery, Direction, Millis};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRow {
    pub id: i64,
    pub conversation_id: i64,
    pub remote_id: Option<String>,
    pub parent_remote_id: Option<String>,
    pub direction: Direction,
    pub author_name: String,
    /// The team member who wrote an outbound message from hark.
    pub agent: Option<String>,
    pub text: String,
    pub created_at: Millis,
    pub liked: bool,
    pub hidden: bool,
    /// An outbound message sent to a commenter's private inbox instead of under the comment.
    pub private: bool,
    /// Delivery of an outbound message written in hark; None for inbound ones.
    pub delivery: Option<Delivery>,
    /// Why the last delivery attempt failed, while it is queued for a retry or failed for good.
    pub delivery_error: Option<String>,
}

macro_rules! message_select {
    () => {
        "SELECT m.id, m.conversation_id, m.remote_id, m.parent_remote_id, m.direction,
                m.author_name, m.agent, m.text, m.created_at, m.liked, m.hidden, m.delivery,
                (SELECT o.last_error FROM outbox o
                 WHERE o.message_id = m.id AND o.action IN ('reply', 'private_reply')),
                m.private
         FROM messages m "
    };
}

fn message_from(row: &Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        remote_id: row.get(2)?,
        parent_remote_id: row.get(3)?,
        direction: row.get(4)?,
        author_name: row.get(5)?,
        agent: row.get(6)?,
        text: row.get(7)?,
        created_at: row.get(8)?,
        liked: row.get(9)?,
        hidden: row.get(10)?,
        delivery: row.get(11)?,
        delivery_error: row.get(12)?,
        private: row.get(13)?,
    })
}

impl Store {
    /// The messages of a conversation, oldest first.
    pub fn messages(&self, conversation_id: i64) -> StoreResult<Vec<MessageRow>> {
        let mut stmt = self.conn.prepare_cached(concat!(
            message_select!(),
            "WHERE m.conversation_id = ?1 ORDER BY m.created_at, m.id"
        ))?;
        Ok(stmt
            .query_map([conversation_id], message_from)?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn message(&self, id: i64) -> StoreResult<Option<MessageRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!(message_select!(), "WHERE m.id = ?1"))?;
        Ok(stmt.query_row([id], message_from).optional()?)
    }

    /// The newest message from the customer that the network knows (it has a remote id):
    /// what a reply answers and what `like` applies to by default.
    pub fn latest_inbound(&self, conversation_id: i64) -> StoreResult<Option<MessageRow>> {
        let mut stmt = self.conn.prepare_cached(concat!(
            message_select!(),
            "WHERE m.conversation_id = ?1 AND m.direction = 'in' AND m.remote_id IS NOT NULL
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1"
        ))?;
        Ok(stmt.query_row([conversation_id], message_from).optional()?)
    }

    /// How many messages the database holds.
    pub fn message_count(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?)
    }
}

/// Adds new messages to the search index, in one statement. FTS5 writes its pending terms to
/// disk at the start of every later statement of the transaction, so a writer calls this once,
/// as late as it can, with every message it stored.
pub(super) fn index_for_search(
    tx: &rusqlite::Transaction<'_>,
    message_ids: &[i64],
) -> super::StoreResult<()> {
    if message_ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(message_ids).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "INSERT INTO messages_fts (rowid, text, author_name)
         SELECT id, text, author_name FROM messages WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([ids])?;
    Ok(())
}

impl super::Store {
    /// The web address of the conversation's original post: its newest message that has one
    /// (a DM has none).
    pub fn post_url(&self, conversation_id: i64) -> super::StoreResult<Option<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.network, m.raw FROM messages m JOIN accounts a ON a.id = m.account_id
             WHERE m.conversation_id = ?1 AND m.raw IS NOT NULL
             ORDER BY m.created_at DESC, m.id DESC",
        )?;
        let rows = stmt.query_map([conversation_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (network, raw) = row?;
            let (Ok(network), Ok(raw)) = (
                network.parse::<crate::model::NetworkKind>(),
                serde_json::from_str::<serde_json::Value>(&raw),
            ) else {
                continue;
            };
            if let Some(url) = crate::networks::post_url(network, &raw) {
                return Ok(Some(url));
            }
        }
        Ok(None)
    }
}
