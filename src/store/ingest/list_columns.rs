//! The columns of a conversation that every new message moves (the list's snippet and time,
//! counts, the customer's wait), kept in memory while a page is stored and written once per
//! conversation at the end: a write that moves the conversation's time rewrites its five
//! list-index entries, and a page often holds many messages of one thread. A new conversation
//! is inserted with the time its page will give it, so that its write moves nothing indexed.

use rusqlite::{Row, Transaction, params};

use crate::model::{Direction, Millis, Sentiment, Status};
use crate::store::StoreResult;

/// The columns read in the order [`ListColumns::from_row`] takes them.
pub(super) const COLUMNS: &str = "id, status, closed_at, snippet, last_message_at, message_count, \
     unread, sentiment, last_inbound_at, waiting_since, first_response_at";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListColumns {
    pub id: i64,
    /// Not written from here; read to decide whether a new message wakes the conversation.
    pub status: Status,
    pub closed_at: Option<Millis>,
    snippet: String,
    pub last_message_at: Millis,
    message_count: i64,
    unread: bool,
    sentiment: Option<Sentiment>,
    last_inbound_at: Option<Millis>,
    waiting_since: Option<Millis>,
    first_response_at: Option<Millis>,
    /// The time the row holds: when a write leaves it as it is, the five list indexes that
    /// hold it are not touched.
    stored_last_message_at: Millis,
    /// Whether a message changed anything that is not written yet.
    dirty: bool,
}

impl ListColumns {
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<ListColumns> {
        Ok(ListColumns {
            id: row.get(0)?,
            status: row.get(1)?,
            closed_at: row.get(2)?,
            snippet: row.get(3)?,
            last_message_at: row.get(4)?,
            message_count: row.get(5)?,
            unread: row.get(6)?,
            sentiment: row.get(7)?,
            last_inbound_at: row.get(8)?,
            waiting_since: row.get(9)?,
            first_response_at: row.get(10)?,
            stored_last_message_at: row.get(4)?,
            dirty: false,
        })
    }

    /// A conversation just inserted with `stored_last_message_at` as its time: the schema's
    /// defaults, and the time of its first message, `last_message_at`, to count from.
    pub fn new_conversation(
        id: i64,
        last_message_at: Millis,
        stored_last_message_at: Millis,
    ) -> ListColumns {
        ListColumns {
            id,
            status: Status::Open,
            closed_at: None,
            snippet: String::new(),
            last_message_at,
            message_count: 0,
            unread: true,
            sentiment: None,
            last_inbound_at: None,
            waiting_since: None,
            first_response_at: None,
            stored_last_message_at,
            dirty: false,
        }
    }

    /// Counts a new message created at `at`: the newest message gives the list its snippet; a
    /// customer's message marks the conversation unread, scores it and starts a wait (if none
    /// is running); our own (written in the network's app) answers the waits begun before it.
    pub fn add_message(
        &mut self,
        direction: Direction,
        at: Millis,
        snippet: &str,
        sentiment: Option<Sentiment>,
    ) {
        if at >= self.last_message_at || self.message_count == 0 {
            snippet.clone_into(&mut self.snippet);
        }
        self.last_message_at = self.last_message_at.max(at);
        self.message_count += 1;
        match direction {
            Direction::In => {
                self.unread = true;
                if at >= self.last_inbound_at.unwrap_or(0) {
                    self.sentiment = sentiment;
                }
                self.last_inbound_at = Some(self.last_inbound_at.unwrap_or(0).max(at));
                self.waiting_since = self.waiting_since.or(Some(at));
            }
            Direction::Out => {
                self.first_response_at = self.first_response_at.or(Some(at));
                if self.waiting_since.is_some_and(|since| since <= at) {
                    self.waiting_since = None;
                }
            }
        }
        self.dirty = true;
    }

    /// Writes what changed since the row was read (nothing when no message came).
    pub fn write(&mut self, tx: &Transaction<'_>) -> StoreResult<()> {
        if !self.dirty {
            return Ok(());
        }
        // SQLite rewrites the entries of every index holding a column the statement sets: the
        // time is set only when it moved (the other statement leaves its ?3 unused).
        let sql = if self.last_message_at == self.stored_last_message_at {
            "UPDATE conversations SET snippet = ?2, message_count = ?4, unread = ?5,
                 sentiment = ?6, last_inbound_at = ?7, waiting_since = ?8, first_response_at = ?9
             WHERE id = ?1"
        } else {
            "UPDATE conversations SET snippet = ?2, last_message_at = ?3, message_count = ?4,
                 unread = ?5, sentiment = ?6, last_inbound_at = ?7, waiting_since = ?8,
                 first_response_at = ?9
             WHERE id = ?1"
        };
        tx.prepare_cached(sql)?.execute(params![
            self.id,
            self.snippet,
            self.last_message_at,
            self.message_count,
            self.unread,
            self.sentiment,
            self.last_inbound_at,
            self.waiting_since,
            self.first_response_at
        ])?;
        self.stored_last_message_at = self.last_message_at;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty(last_message_at: Millis) -> ListColumns {
        ListColumns {
            id: 1,
            status: Status::Open,
            closed_at: None,
            snippet: String::new(),
            last_message_at,
            message_count: 0,
            unread: false,
            sentiment: None,
            last_inbound_at: None,
            waiting_since: None,
            first_response_at: None,
            stored_last_message_at: last_message_at,
            dirty: false,
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_new_conversation_has_the_schema_defaults() {
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let account = store
            .upsert_account(
                &crate::store::NewAccount {
                    name: "brand".into(),
                    network: crate::model::NetworkKind::Demo,
                    handle: "@brand".into(),
                    remote_id: None,
                    display_name: None,
                    credentials_ref: None,
                },
                0,
            )
            .unwrap();
        let conn = store.conn();
        conn.execute(
            "INSERT INTO conversations (account_id, kind, root_remote_id, last_message_at, created_at)
             VALUES (?1, 'mention', 'r', 7, 9)",
            [account],
        )
        .unwrap();
        let read = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM conversations"),
                [],
                ListColumns::from_row,
            )
            .unwrap();
        assert_eq!(read, ListColumns::new_conversation(read.id, 7, 7));
    }

    #[test]
    fn the_newest_message_gives_the_snippet_whatever_the_order() {
        let mut columns = empty(20);
        columns.add_message(Direction::In, 20, "newest", Some(Sentiment::Negative));
        columns.add_message(Direction::In, 10, "older", Some(Sentiment::Positive));
        assert_eq!(columns.snippet, "newest");
        assert_eq!(columns.sentiment, Some(Sentiment::Negative));
        assert_eq!(columns.last_message_at, 20);
        assert_eq!(columns.last_inbound_at, Some(20));
        assert_eq!(columns.message_count, 2);
        assert_eq!(
            columns.waiting_since,
            Some(20),
            "the first wait seen is kept"
        );
    }

    #[test]
    fn our_reply_answers_waits_begun_before_it_only() {
        let mut columns = empty(10);
        columns.add_message(Direction::In, 10, "help", None);
        columns.add_message(Direction::Out, 5, "earlier answer", None);
        assert_eq!(columns.waiting_since, Some(10));
        columns.add_message(Direction::Out, 12, "answer", None);
        assert_eq!(columns.waiting_since, None);
        assert_eq!(columns.first_response_at, Some(5));
        assert_eq!(columns.snippet, "answer");
        assert!(columns.dirty);
    }
}
