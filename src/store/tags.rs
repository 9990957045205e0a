//! Tags: names on conversations; each is a folder of the inbox.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreResult};

impl Store {
    pub fn tag_id(&self, name: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM tags WHERE name = ?1", [name], |r| r.get(0))
            .optional()?)
    }

    /// Puts a tag (created if new; names compare without case) on a conversation.
    pub fn add_tag(&mut self, conversation_id: i64, name: &str) -> StoreResult<i64> {
        self.write(|tx| {
            let tag_id: i64 = tx.query_row(
                "INSERT INTO tags (name) VALUES (?1)
                 ON CONFLICT (name) DO UPDATE SET name = tags.name RETURNING id",
                [name],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag_id) VALUES (?1, ?2)",
                params![conversation_id, tag_id],
            )?;
            Ok(tag_id)
        })
    }
}
