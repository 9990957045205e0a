//! Unsent replies, kept per agent and conversation so that they survive a restart.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::model::Millis;

/// An unsent reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub body: String,
    /// A private reply to this comment (a message id) rather than a public one: kept with the
    /// text so that a private answer never comes back as a public one.
    pub private_to: Option<i64>,
}

impl Store {
    pub fn draft(&self, agent: &str, conversation_id: i64) -> StoreResult<Option<Draft>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT body, private_to FROM drafts WHERE agent = ?1 AND conversation_id = ?2",
            )?
            .query_row(params![agent, conversation_id], |r| {
                Ok(Draft {
                    body: r.get(0)?,
                    private_to: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// Saves the draft; an empty one is removed.
    pub fn save_draft(
        &mut self,
        agent: &str,
        conversation_id: i64,
        draft: &Draft,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            if draft.body.trim().is_empty() {
                tx.execute(
                    "DELETE FROM drafts WHERE agent = ?1 AND conversation_id = ?2",
                    params![agent, conversation_id],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO drafts (agent, conversation_id, body, private_to, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (agent, conversation_id) DO UPDATE SET
                         body = excluded.body, private_to = excluded.private_to,
                         updated_at = excluded.updated_at",
                    params![agent, conversation_id, draft.body, draft.private_to, now],
                )?;
            }
            Ok(())
        })
    }
}
