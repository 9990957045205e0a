//! Triage: tags, assignment, priority, snooze and the team's notes on conversations. Every change
//! takes a list of conversations (one, or a bulk selection) and writes one event per conversation.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::events::{EventKind, record_event};
use super::{Store, StoreError, StoreResult};
use crate::model::{Millis, Status};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub colour: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: Millis,
}

/// The highest priority (urgent).
pub const MAX_PRIORITY: i64 = 2;

impl Store {
    pub fn tag_id(&self, name: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM tags WHERE name = ?1", [name], |r| r.get(0))
            .optional()?)
    }

    pub fn tags(&self) -> StoreResult<Vec<Tag>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, colour FROM tags ORDER BY name")?;
        Ok(stmt
            .query_map([], |r| {
                Ok(Tag {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    colour: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_tag_colour(&mut self, name: &str, colour: Option<&str>) -> StoreResult<()> {
        self.write(|tx| {
            let tag_id = ensure_tag(tx, name)?;
            tx.execute(
                "UPDATE tags SET colour = ?2 WHERE id = ?1",
                params![tag_id, colour],
            )?;
            Ok(())
        })
    }

    /// Puts a tag (created if new; names compare without case) on conversations.
    pub fn tag(&mut self, ids: &[i64], name: &str, actor: &str, now: Millis) -> StoreResult<()> {
        let name = clean_tag(name)?;
        self.write(|tx| tag_in(tx, ids, &name, actor, now))
    }

    /// Takes a tag off conversations.
    pub fn untag(&mut self, ids: &[i64], name: &str, actor: &str, now: Millis) -> StoreResult<()> {
        self.write(|tx| {
            let Some(tag_id) = tag_id_in(tx, name)? else {
                return Ok(());
            };
            for &id in ids {
                let removed = tx.execute(
                    "DELETE FROM conversation_tags WHERE conversation_id = ?1 AND tag_id = ?2",
                    params![id, tag_id],
                )?;
                if removed > 0 {
                    record_event(
                        tx,
                        now,
                        actor,
                        EventKind::Untagged,
                        Some(id),
                        None,
                        &serde_json::json!({ "tag": name }),
                    )?;
                }
            }
            Ok(())
        })
    }

    /// Assigns conversations to an agent, or unassigns them (None).
    /// The assignee opened the conversation: no longer new to them. (A plain statement, and
    /// a write only when there is something to clear.)
    pub fn assignment_seen(&mut self, conversation_id: i64, agent: &str) -> StoreResult<()> {
        let unseen: bool = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM conversations
                 WHERE id = ?1 AND assignee = ?2 AND assignment_unseen = 1",
            )?
            .query_row(params![conversation_id, agent], |r| r.get(0))?;
        if unseen {
            self.write(|tx| {
                tx.execute(
                    "UPDATE conversations SET assignment_unseen = 0 WHERE id = ?1 AND assignee = ?2",
                    params![conversation_id, agent],
                )?;
                Ok(())
            })?;
        }
        Ok(())
    }

    pub fn assign(
        &mut self,
        ids: &[i64],
        agent: Option<&str>,
        actor: &str,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| assign_in(tx, ids, agent, actor, now))
    }

    pub fn set_priority(
        &mut self,
        ids: &[i64],
        priority: i64,
        actor: &str,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| priority_in(tx, ids, priority, actor, now))
    }

    /// Snoozes conversations until a time; they come back to Open then (or when the customer
    /// writes again).
    pub fn snooze(
        &mut self,
        ids: &[i64],
        until: Millis,
        actor: &str,
        now: Millis,
    ) -> StoreResult<()> {
        if until <= now {
            return Err(StoreError::Rejected(
                "a snooze must end in the future".into(),
            ));
        }
        self.write(|tx| snooze_in(tx, ids, until, actor, now))
    }

    /// Brings back to Open every snoozed conversation whose time has come. Any process may run
    /// it; each conversation wakes once.
    pub fn wake_snoozed(&mut self, now: Millis) -> StoreResult<Vec<i64>> {
        self.write(|tx| {
            let ids: Vec<i64> = tx
                .prepare_cached(
                    "SELECT id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= ?1",
                )?
                .query_map([now], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for &id in &ids {
                tx.execute(
                    "UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id = ?1",
                    [id],
                )?;
                record_event(
                    tx,
                    now,
                    super::SYNC_ACTOR,
                    EventKind::Reopened,
                    Some(id),
                    None,
                    &serde_json::json!({ "reason": "snooze ended" }),
                )?;
            }
            Ok(ids)
        })
    }

    /// Conversations' statuses changed together (bulk close or reopen).
    pub fn set_statuses(
        &mut self,
        ids: &[i64],
        status: Status,
        actor: &str,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            for &id in ids {
                super::conversations::set_status_in(tx, id, status, actor, now)?;
            }
            Ok(())
        })
    }

    pub fn add_note(
        &mut self,
        conversation_id: i64,
        body: &str,
        author: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        if body.trim().is_empty() {
            return Err(StoreError::Rejected("the note is empty".into()));
        }
        self.write(|tx| {
            let id: i64 = tx.query_row(
                "INSERT INTO conversation_notes (conversation_id, author, body, created_at)
                 VALUES (?1, ?2, ?3, ?4) RETURNING id",
                params![conversation_id, author, body.trim_end(), now],
                |r| r.get(0),
            )?;
            record_event(
                tx,
                now,
                author,
                EventKind::NoteAdded,
                Some(conversation_id),
                None,
                &serde_json::json!({ "note_id": id }),
            )?;
            Ok(id)
        })
    }

    /// The team's notes on a conversation, oldest first.
    pub fn notes(&self, conversation_id: i64) -> StoreResult<Vec<Note>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, author, body, created_at FROM conversation_notes
             WHERE conversation_id = ?1 ORDER BY created_at, id",
        )?;
        Ok(stmt
            .query_map([conversation_id], |r| {
                Ok(Note {
                    id: r.get(0)?,
                    author: r.get(1)?,
                    body: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Everyone who has worked in this database (from the events log), by name.
    pub fn agents_seen(&self) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT actor FROM events WHERE actor != 'sync' AND actor NOT LIKE 'rule:%'
             UNION SELECT DISTINCT assignee FROM conversations WHERE assignee IS NOT NULL
             ORDER BY 1",
        )?;
        Ok(stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }
}

fn clean_tag(name: &str) -> StoreResult<String> {
    let name = name.trim().trim_start_matches('#').trim();
    if name.is_empty() {
        return Err(StoreError::Rejected("a tag needs a name".into()));
    }
    Ok(name.to_owned())
}

fn tag_id_in(tx: &Transaction<'_>, name: &str) -> StoreResult<Option<i64>> {
    Ok(tx
        .query_row(
            "SELECT id FROM tags WHERE name = ?1",
            [name.trim().trim_start_matches('#')],
            |r| r.get(0),
        )
        .optional()?)
}

fn ensure_tag(tx: &Transaction<'_>, name: &str) -> StoreResult<i64> {
    let name = clean_tag(name)?;
    Ok(tx.query_row(
        "INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO UPDATE SET name = tags.name RETURNING id",
        [name],
        |r| r.get(0),
    )?)
}

pub(super) fn tag_in(
    tx: &Transaction<'_>,
    ids: &[i64],
    name: &str,
    actor: &str,
    now: Millis,
) -> StoreResult<()> {
    let tag_id = ensure_tag(tx, name)?;
    for &id in ids {
        let added = tx.execute(
            "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id) VALUES (?1, ?2)",
            params![id, tag_id],
        )?;
        if added > 0 {
            record_event(
                tx,
                now,
                actor,
                EventKind::Tagged,
                Some(id),
                None,
                &serde_json::json!({ "tag": name }),
            )?;
        }
    }
    Ok(())
}

pub(super) fn assign_in(
    tx: &Transaction<'_>,
    ids: &[i64],
    agent: Option<&str>,
    actor: &str,
    now: Millis,
) -> StoreResult<()> {
    let agent = agent.map(str::trim).filter(|a| !a.is_empty());
    for &id in ids {
        // Assigned by someone else: the assignee is told until they open it.
        let changed = tx.execute(
            "UPDATE conversations SET assignee = ?2, assignment_unseen = (?2 IS NOT NULL AND ?2 != ?3)
             WHERE id = ?1 AND assignee IS NOT ?2",
            params![id, agent, actor],
        )?;
        if changed > 0 {
            let kind = if agent.is_some() {
                EventKind::Assigned
            } else {
                EventKind::Unassigned
            };
            record_event(
                tx,
                now,
                actor,
                kind,
                Some(id),
                None,
                &serde_json::json!({ "assignee": agent }),
            )?;
        }
    }
    Ok(())
}

pub(super) fn priority_in(
    tx: &Transaction<'_>,
    ids: &[i64],
    priority: i64,
    actor: &str,
    now: Millis,
) -> StoreResult<()> {
    let priority = priority.clamp(0, MAX_PRIORITY);
    for &id in ids {
        let changed = tx.execute(
            "UPDATE conversations SET priority = ?2 WHERE id = ?1 AND priority != ?2",
            params![id, priority],
        )?;
        if changed > 0 {
            record_event(
                tx,
                now,
                actor,
                EventKind::Prioritised,
                Some(id),
                None,
                &serde_json::json!({ "priority": priority }),
            )?;
        }
    }
    Ok(())
}

pub(super) fn snooze_in(
    tx: &Transaction<'_>,
    ids: &[i64],
    until: Millis,
    actor: &str,
    now: Millis,
) -> StoreResult<()> {
    for &id in ids {
        tx.execute(
            "UPDATE conversations SET status = 'snoozed', snoozed_until = ?2, closed_at = NULL, waiting_since = NULL WHERE id = ?1",
            params![id, until],
        )?;
        record_event(
            tx,
            now,
            actor,
            EventKind::Snoozed,
            Some(id),
            None,
            &serde_json::json!({ "until": until }),
        )?;
    }
    Ok(())
}

/// A stored customer message as the rules see it (for a dry run over the history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub conversation_id: i64,
    pub message_id: i64,
    pub text: String,
    pub kind: crate::model::ConversationKind,
    pub network: crate::model::NetworkKind,
    pub account: String,
    pub language: Option<String>,
    pub author_vip: bool,
}

impl Store {
    /// Calls `visit` with every stored customer message, oldest first, without loading them all.
    pub fn each_inbound_message(&self, mut visit: impl FnMut(StoredMessage)) -> StoreResult<usize> {
        let mut stmt = self.conn.prepare(
            "SELECT m.conversation_id, m.id, m.text, c.kind, a.network, a.name, m.language,
                    coalesce(ct.vip, 0)
             FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             JOIN accounts a ON a.id = c.account_id
             LEFT JOIN contacts ct ON ct.id = m.author_contact_id
             WHERE m.direction = 'in' ORDER BY m.created_at, m.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            visit(StoredMessage {
                conversation_id: row.get(0)?,
                message_id: row.get(1)?,
                text: row.get(2)?,
                kind: row.get(3)?,
                network: row.get(4)?,
                account: row.get(5)?,
                language: row.get(6)?,
                author_vip: row.get(7)?,
            });
            count += 1;
        }
        Ok(count)
    }
}
