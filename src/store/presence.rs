//! Presence: which conversation each running inbox shows, and whether its person is writing a
//! reply there, so that teammates sharing a database see "Ana is replying" and do not answer
//! the same customer twice. A row per inbox process, refreshed by a heartbeat; a row whose
//! heartbeat is older than [`PRESENCE_TTL`], or whose process is gone, counts for nothing.

use rusqlite::params;
use serde::Serialize;

use super::lease::process_alive;
use super::{Store, StoreResult};
use crate::model::{Activity, Millis};

/// How long a heartbeat keeps a presence alive (an inbox beats well within it).
pub const PRESENCE_TTL: Millis = 45_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub agent: String,
    pub conversation_id: i64,
    pub activity: Activity,
    pub updated_at: Millis,
}

impl Store {
    /// Records what this process's person is doing (None: nothing, e.g. leaving hark).
    pub fn set_presence(
        &mut self,
        agent: &str,
        doing: Option<(i64, Activity)>,
        now: Millis,
    ) -> StoreResult<()> {
        let process = self.inbox.clone();
        self.write(|tx| {
            match doing {
                Some((conversation_id, activity)) => tx.execute(
                    "INSERT INTO presence (process, agent, conversation_id, activity, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (process) DO UPDATE SET agent = excluded.agent,
                         conversation_id = excluded.conversation_id,
                         activity = excluded.activity, updated_at = excluded.updated_at",
                    params![process, agent, conversation_id, activity, now],
                )?,
                None => tx.execute("DELETE FROM presence WHERE process = ?1", [&process])?,
            };
            // Rows of inboxes that stopped long ago are of no use to anyone.
            tx.execute(
                "DELETE FROM presence WHERE updated_at < ?1",
                [now - 10 * PRESENCE_TTL],
            )?;
            Ok(())
        })
    }

    /// Who is where now, every inbox but this process's own.
    pub fn presence(&self, now: Millis) -> StoreResult<Vec<Presence>> {
        let me = &self.inbox;
        let mut stmt = self.conn.prepare_cached(
            "SELECT process, agent, conversation_id, activity, updated_at FROM presence
             WHERE updated_at >= ?1 ORDER BY agent",
        )?;
        let rows = stmt.query_map([now - PRESENCE_TTL], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Presence {
                    agent: r.get(1)?,
                    conversation_id: r.get(2)?,
                    activity: r.get(3)?,
                    updated_at: r.get(4)?,
                },
            ))
        })?;
        let mut found = Vec::new();
        for row in rows {
            let (process, presence) = row?;
            if process != *me && process_alive(&process) {
                found.push(presence);
            }
        }
        Ok(found)
    }
}
