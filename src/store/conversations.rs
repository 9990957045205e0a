//! Conversations: folder pages (keyset pagination), counts, detail, status changes and search.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::events::{EventKind, record_event};
use super::messages::MessageRow;
use super::{Store, StoreError, StoreResult};
use crate::model::{ConversationKind, Folder, Millis, NetworkKind, Sort, Status};

/// One line of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationRow {
    pub id: i64,
    pub account_id: i64,
    pub account: String,
    pub network: NetworkKind,
    pub kind: ConversationKind,
    pub status: Status,
    pub priority: i64,
    pub assignee: Option<String>,
    pub unread: bool,
    pub snippet: String,
    pub message_count: i64,
    pub last_message_at: Millis,
    pub last_inbound_at: Option<Millis>,
    pub first_response_at: Option<Millis>,
    pub snoozed_until: Option<Millis>,
    pub contact_handle: Option<String>,
    pub contact_name: Option<String>,
    pub tags: Vec<String>,
    /// Someone else assigned it to its assignee, who has not opened it since.
    pub assignment_unseen: bool,
    /// Since when it waits for the brand's reply (None: answered, closed or snoozed).
    pub waiting_since: Option<Millis>,
    /// How the customer's latest message sounds (None: not told).
    pub sentiment: Option<crate::model::Sentiment>,
}

impl ConversationRow {
    /// Where the next page of the same folder starts, newest first.
    pub fn cursor(&self) -> PageCursor {
        self.cursor_for(Sort::Newest)
    }

    /// Where the next page of the same folder starts, in the given order.
    pub fn cursor_for(&self, sort: Sort) -> PageCursor {
        PageCursor {
            sort,
            priority: self.priority,
            last_message_at: self.last_message_at,
            id: self.id,
        }
    }
}

/// A position in a folder in one order: the page after it starts with the next conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageCursor {
    #[serde(skip)]
    pub sort: Sort,
    pub priority: i64,
    pub last_message_at: Millis,
    pub id: i64,
}

impl PageCursor {
    /// The position before the newest conversation.
    pub const START: PageCursor = PageCursor::start(Sort::Newest);

    /// The position before the first conversation in an order.
    pub const fn start(sort: Sort) -> PageCursor {
        match sort {
            Sort::Oldest => PageCursor {
                sort,
                priority: i64::MIN,
                last_message_at: i64::MIN,
                id: i64::MIN,
            },
            Sort::Newest | Sort::Priority => PageCursor {
                sort,
                priority: i64::MAX,
                last_message_at: i64::MAX,
                id: i64::MAX,
            },
        }
    }
}

/// A conversation with everything the thread view needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub row: ConversationRow,
    pub root_remote_id: String,
    pub subject: Option<String>,
    pub contact_id: Option<i64>,
    pub closed_at: Option<Millis>,
    pub created_at: Millis,
    pub messages: Vec<MessageRow>,
}

/// How many conversations each folder holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderCounts {
    /// The newest conversation's id: a higher one means new conversations came in.
    pub newest_id: i64,
    pub open: i64,
    pub mine: i64,
    pub unassigned: i64,
    pub snoozed: i64,
    pub closed: i64,
    /// (tag id, tag name, open conversations)
    pub tags: Vec<(i64, String, i64)>,
    /// (account id, account name, open conversations)
    pub accounts: Vec<(i64, String, i64)>,
    /// Open hits of the followed searches.
    pub searches: i64,
    /// Open conversations waiting past their response-time target.
    pub overdue: i64,
    /// Open conversations someone else assigned to this agent that they have not opened yet.
    pub mine_new: i64,
}

/// A conversation found by full-text search, with the message that matched best.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub conversation: ConversationRow,
    pub message_id: i64,
}

/// The list columns, in the order [`row_from`] reads them. A macro so that every query is one
/// string literal at compile time.
macro_rules! row_select {
    () => {
        "SELECT c.id, c.account_id, a.name, a.network, c.kind, c.status, c.priority, c.assignee,
                c.unread AND NOT EXISTS (SELECT 1 FROM reads r
                    WHERE r.agent = (SELECT agent FROM temp.reader)
                      AND r.conversation_id = c.id
                      AND r.read_at >= coalesce(c.last_inbound_at, 0)),
                c.snippet, c.message_count, c.last_message_at, c.last_inbound_at,
                c.first_response_at, c.snoozed_until, ct.handle, ct.name,
                (SELECT group_concat(t.name, char(31)) FROM conversation_tags x
                   JOIN tags t ON t.id = x.tag_id WHERE x.conversation_id = c.id),
                c.assignment_unseen, c.waiting_since, c.sentiment
         FROM conversations c
         JOIN accounts a ON a.id = c.account_id
         LEFT JOIN contacts ct ON ct.id = c.contact_id "
    };
}

/// Keyset condition and order shared by every folder query (?1, ?2 = cursor, ?3 = limit).
/// One folder condition in each order, as static SQL. Parameters: ?1 priority, ?2 time and ?3
/// id of the cursor, ?4 the limit, ?5 the folder's own value (status, agent, tag or account).
/// Open and waiting past the strictest response-time target that applies (the targets are the
/// connection's `temp.sla`; `c` is the conversation, `a` its account).
macro_rules! overdue {
    () => {
        "c.status = 'open' AND c.waiting_since IS NOT NULL
                     AND c.waiting_since + 60000 * (SELECT min(s.minutes) FROM temp.sla s
                         WHERE s.kind = 'default'
                            OR (s.kind = 'network' AND s.key = a.network)
                            OR (s.kind = 'tag' AND EXISTS (SELECT 1
                                   FROM conversation_tags x JOIN tags t ON t.id = x.tag_id
                                   WHERE x.conversation_id = c.id AND t.name = s.key)))
                         <= CAST(unixepoch('subsec') * 1000 AS INTEGER)"
    };
}
pub(super) use overdue;

macro_rules! sorted {
    ($($condition:tt)+) => {
        [
            concat!(
                row_select!(),
                "WHERE ",
                $($condition)+,
                " AND (c.last_message_at, c.id) < (?2, ?3)
                  ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?4"
            ),
            concat!(
                row_select!(),
                "WHERE ",
                $($condition)+,
                " AND (c.last_message_at, c.id) > (?2, ?3)
                  ORDER BY c.last_message_at ASC, c.id ASC LIMIT ?4"
            ),
            concat!(
                row_select!(),
                "WHERE ",
                $($condition)+,
                " AND (c.priority, c.last_message_at, c.id) < (?1, ?2, ?3)
                  ORDER BY c.priority DESC, c.last_message_at DESC, c.id DESC LIMIT ?4"
            ),
        ]
    };
}

fn row_from(row: &Row<'_>) -> rusqlite::Result<ConversationRow> {
    let tags: Option<String> = row.get(17)?;
    Ok(ConversationRow {
        id: row.get(0)?,
        account_id: row.get(1)?,
        account: row.get(2)?,
        network: row.get(3)?,
        kind: row.get(4)?,
        status: row.get(5)?,
        priority: row.get(6)?,
        assignee: row.get(7)?,
        unread: row.get(8)?,
        snippet: row.get(9)?,
        message_count: row.get(10)?,
        last_message_at: row.get(11)?,
        last_inbound_at: row.get(12)?,
        first_response_at: row.get(13)?,
        snoozed_until: row.get(14)?,
        contact_handle: row.get(15)?,
        contact_name: row.get(16)?,
        tags: tags
            .map(|joined| joined.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default(),
        assignment_unseen: row.get(18)?,
        waiting_since: row.get(19)?,
        sentiment: row.get(20)?,
    })
}

impl Store {
    /// Up to `limit` conversations of `folder` in the cursor's order, strictly after it.
    /// Each folder walks an index in order, so a page costs the same at any depth.
    pub fn folder_page(
        &self,
        folder: &Folder,
        after: PageCursor,
        limit: usize,
    ) -> StoreResult<Vec<ConversationRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let order = match after.sort {
            Sort::Newest => 0,
            Sort::Oldest => 1,
            Sort::Priority => 2,
        };
        let (sql, value): (&str, Option<rusqlite::types::Value>) = match folder {
            Folder::Open => (
                sorted!("c.status = ?5")[order],
                Some("open".to_owned().into()),
            ),
            Folder::Snoozed => (
                sorted!("c.status = ?5")[order],
                Some("snoozed".to_owned().into()),
            ),
            Folder::Closed => (
                sorted!("c.status = ?5")[order],
                Some("closed".to_owned().into()),
            ),
            Folder::Mine(agent) => (
                sorted!("c.status = 'open' AND c.assignee = ?5")[order],
                Some(agent.clone().into()),
            ),
            Folder::Unassigned => (
                sorted!("c.status = 'open' AND c.assignee IS NULL")[order],
                None,
            ),
            Folder::Tag(tag_id) => (
                sorted!(
                    "c.status = 'open' AND c.id IN
                        (SELECT conversation_id FROM conversation_tags WHERE tag_id = ?5)"
                )[order],
                Some((*tag_id).into()),
            ),
            Folder::Account(account_id) => (
                sorted!("c.account_id = ?5 AND c.status = 'open'")[order],
                Some((*account_id).into()),
            ),
            Folder::Searches => (
                sorted!("c.kind = 'search' AND c.status = 'open'")[order],
                None,
            ),
            Folder::Overdue => (sorted!(overdue!())[order], None),
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let (p, t, i) = (after.priority, after.last_message_at, after.id);
        let rows = match value {
            Some(value) => stmt.query_map(params![p, t, i, limit, value], row_from)?,
            None => stmt.query_map(params![p, t, i, limit], row_from)?,
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn folder_counts(&self, agent: &str) -> StoreResult<FolderCounts> {
        let mut counts = FolderCounts::default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status, count(*) FROM conversations GROUP BY status")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let count: i64 = row.get(1)?;
            match row.get::<_, Status>(0)? {
                Status::Open => counts.open = count,
                Status::Snoozed => counts.snoozed = count,
                Status::Closed => counts.closed = count,
            }
        }
        counts.mine = self.conn.query_row(
            "SELECT count(*) FROM conversations WHERE status = 'open' AND assignee = ?1",
            [agent],
            |row| row.get(0),
        )?;
        counts.unassigned = self.conn.query_row(
            "SELECT count(*) FROM conversations WHERE status = 'open' AND assignee IS NULL",
            [],
            |row| row.get(0),
        )?;
        counts.newest_id = self.conn.query_row(
            "SELECT coalesce(max(id), 0) FROM conversations",
            [],
            |row| row.get(0),
        )?;
        counts.mine_new = self.conn.query_row(
            "SELECT count(*) FROM conversations
             WHERE status = 'open' AND assignee = ?1 AND assignment_unseen = 1",
            [agent],
            |row| row.get(0),
        )?;
        let has_targets: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM temp.sla)", [], |row| {
                    row.get(0)
                })?;
        counts.overdue = if !has_targets {
            0
        } else {
            self.conn.query_row(
                concat!(
                    "SELECT count(*) FROM conversations c JOIN accounts a ON a.id = c.account_id
                     WHERE ",
                    overdue!()
                ),
                [],
                |row| row.get(0),
            )?
        };
        counts.searches = self.conn.query_row(
            "SELECT count(*) FROM conversations WHERE kind = 'search' AND status = 'open'",
            [],
            |row| row.get(0),
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, t.name, (SELECT count(*) FROM conversation_tags x
                 JOIN conversations c ON c.id = x.conversation_id
                 WHERE x.tag_id = t.id AND c.status = 'open')
             FROM tags t ORDER BY t.name",
        )?;
        counts.tags = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.name, (SELECT count(*) FROM conversations c
                 WHERE c.account_id = a.id AND c.status = 'open')
             FROM accounts a ORDER BY a.name",
        )?;
        counts.accounts = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(counts)
    }

    pub fn conversation_row(&self, id: i64) -> StoreResult<Option<ConversationRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!(row_select!(), "WHERE c.id = ?1"))?;
        Ok(stmt.query_row([id], row_from).optional()?)
    }

    /// The conversation with its messages, oldest first.
    /// Every conversation's id, the most recently active first.
    pub fn all_conversation_ids(&self) -> StoreResult<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM conversations ORDER BY last_message_at DESC, id DESC",
        )?;
        Ok(stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn conversation(&self, id: i64) -> StoreResult<ConversationDetail> {
        let row = self.conversation_row(id)?.ok_or_else(|| not_found(id))?;
        let (root_remote_id, subject, contact_id, closed_at, created_at) = self.conn.query_row(
            "SELECT root_remote_id, subject, contact_id, closed_at, created_at
             FROM conversations WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        Ok(ConversationDetail {
            row,
            root_remote_id,
            subject,
            contact_id,
            closed_at,
            created_at,
            messages: self.messages(id)?,
        })
    }

    /// Closes or reopens a conversation; records who did it. Returns false if it was already so.
    pub fn set_status(
        &mut self,
        id: i64,
        status: Status,
        actor: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        self.write(|tx| set_status_in(tx, id, status, actor, now))
    }

    /// Marks a conversation as read by `agent` (they opened it); for teammates it stays unread
    /// until they do. Written only when it changes something.
    pub fn mark_read(&mut self, id: i64, agent: &str, now: Millis) -> StoreResult<()> {
        let already: bool = self.conn.query_row(
            "SELECT NOT c.unread OR EXISTS (SELECT 1 FROM reads r WHERE r.agent = ?2
                 AND r.conversation_id = c.id AND r.read_at >= coalesce(c.last_inbound_at, 0))
             FROM conversations c WHERE c.id = ?1",
            params![id, agent],
            |r| r.get(0),
        )?;
        if already {
            return Ok(());
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO reads (agent, conversation_id, read_at)
                 SELECT ?2, id, max(?3, coalesce(last_inbound_at, 0)) FROM conversations WHERE id = ?1
                 ON CONFLICT (agent, conversation_id) DO UPDATE SET read_at = excluded.read_at",
                params![id, agent, now],
            )?;
            Ok(())
        })
    }

    /// Conversations whose messages or customer names match `query`, the most recently
    /// active first (as in a mail client: what was said lately matters most in an inbox).
    /// Every word must match; the last one may be a prefix (as the person is still typing).
    pub fn search(&self, query: &str, limit: usize) -> StoreResult<Vec<SearchHit>> {
        let Some(fts_query) = fts_query(query) else {
            return Ok(Vec::new());
        };
        // FTS5 walks its index newest row first and stops early, so the cost depends on the
        // number of hits wanted, not on how many messages match. Several hits may fall in one
        // conversation, so ask for more than needed.
        let wanted = i64::try_from(limit.saturating_mul(4)).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.conversation_id, m.id FROM
                 (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1
                  ORDER BY rowid DESC LIMIT ?2) f
             JOIN messages m ON m.id = f.rowid",
        )?;
        let matches: Vec<(i64, i64)> = stmt
            .query_map(params![fts_query, wanted], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // The best-matching message of each conversation, first seen first.
        let mut first_match = std::collections::HashMap::new();
        let mut order = Vec::with_capacity(limit);
        for (conversation_id, message_id) in matches {
            if order.len() < limit && !first_match.contains_key(&conversation_id) {
                first_match.insert(conversation_id, message_id);
                order.push(conversation_id);
            }
        }
        // One query for all the rows, not one per hit.
        let ids = serde_json::to_string(&order).unwrap_or_else(|_| "[]".into());
        let mut stmt = self.conn.prepare_cached(concat!(
            row_select!(),
            "WHERE c.id IN (SELECT value FROM json_each(?1))"
        ))?;
        let rows: Vec<ConversationRow> = stmt
            .query_map([ids], row_from)?
            .collect::<rusqlite::Result<_>>()?;
        let mut hits: Vec<SearchHit> = rows
            .into_iter()
            .map(|conversation| SearchHit {
                message_id: first_match
                    .get(&conversation.id)
                    .copied()
                    .unwrap_or_default(),
                conversation,
            })
            .collect();
        hits.sort_by_key(|hit| {
            std::cmp::Reverse((hit.conversation.last_message_at, hit.conversation.id))
        });
        Ok(hits)
    }
}

/// Moves a conversation to `status` inside a larger transaction, recording the event; false if
/// it already was in that status.
pub(super) fn set_status_in(
    tx: &Transaction<'_>,
    id: i64,
    status: Status,
    actor: &str,
    now: Millis,
) -> StoreResult<bool> {
    let current: Status = tx
        .query_row(
            "SELECT status FROM conversations WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| not_found(id))?;
    if current == status {
        return Ok(false);
    }
    let closed_at = (status == Status::Closed).then_some(now);
    tx.execute(
        "UPDATE conversations SET status = ?2, closed_at = ?3, snoozed_until = NULL,
             waiting_since = CASE WHEN ?2 = 'open' THEN waiting_since END
         WHERE id = ?1",
        params![id, status, closed_at],
    )?;
    let kind = match status {
        Status::Closed => EventKind::Closed,
        Status::Open => EventKind::Reopened,
        Status::Snoozed => EventKind::Snoozed,
    };
    record_event(tx, now, actor, kind, Some(id), None, &serde_json::json!({}))?;
    if status == Status::Closed {
        // Tell the network too, where closing has a meaning there (a DM marked read).
        let (account_id, kind, root): (i64, crate::model::ConversationKind, String) = tx
            .query_row(
                "SELECT account_id, kind, root_remote_id FROM conversations WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        if kind == crate::model::ConversationKind::Dm {
            super::outbox::insert_entry(
                tx,
                account_id,
                id,
                None,
                crate::model::OutboxAction::Close,
                Some(&root),
                actor,
                now,
            )?;
        }
    }
    Ok(true)
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "conversation",
        id: id.to_string(),
    }
}

/// Turns what a person typed into an FTS5 query that cannot be a syntax error: each word
/// becomes a quoted string, and the last one a prefix.
fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split_whitespace()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    let mut query = words.join(" ");
    if query.is_empty() {
        return None;
    }
    query.push('*');
    Some(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_search_becomes_quoted_words_with_a_prefix() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("pay page").as_deref(), Some("\"pay\" \"page\"*"));
        assert_eq!(
            fts_query("a\"b AND").as_deref(),
            Some("\"a\"\"b\" \"AND\"*")
        );
    }
}
