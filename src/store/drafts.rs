//! Unsent replies, kept per agent and conversation so that they survive a restart.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreResult};
use crate::model::Millis;

impl Store {
    pub fn draft(&self, agent: &str, conversation_id: i64) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT body FROM drafts WHERE agent = ?1 AND conversation_id = ?2")?
            .query_row(params![agent, conversation_id], |r| r.get(0))
            .optional()?)
    }

    /// Saves the draft; an empty one is removed.
    pub fn save_draft(
        &mut self,
        agent: &str,
        conversation_id: i64,
        body: &str,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            if body.trim().is_empty() {
                tx.execute(
                    "DELETE FROM drafts WHERE agent = ?1 AND conversation_id = ?2",
                    params![agent, conversation_id],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO drafts (agent, conversation_id, body, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (agent, conversation_id) DO UPDATE SET
                         body = excluded.body, updated_at = excluded.updated_at",
                    params![agent, conversation_id, body, now],
                )?;
            }
            Ok(())
        })
    }
}
