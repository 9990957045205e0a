//! Where each account's streams stand: the cursor to fetch from next, and the last outcome.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::model::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncCursor {
    pub account_id: i64,
    pub stream: String,
    pub cursor: Option<String>,
    pub last_ok_at: Option<Millis>,
    pub last_error: Option<String>,
}

impl Store {
    /// The stored cursor of one stream, if it has ever been synced.
    pub fn sync_cursor(&self, account_id: i64, stream: &str) -> StoreResult<Option<SyncCursor>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account_id, stream, cursor, last_ok_at, last_error FROM sync_state
             WHERE account_id = ?1 AND stream = ?2",
        )?;
        Ok(stmt
            .query_row(params![account_id, stream], |r| {
                Ok(SyncCursor {
                    account_id: r.get(0)?,
                    stream: r.get(1)?,
                    cursor: r.get(2)?,
                    last_ok_at: r.get(3)?,
                    last_error: r.get(4)?,
                })
            })
            .optional()?)
    }

    /// Remembers why the last sync of a stream failed; the cursor is left as it was.
    pub fn record_sync_error(
        &mut self,
        account_id: i64,
        stream: &str,
        error: &str,
        now: Millis,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_state (account_id, stream, last_error, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id, stream) DO UPDATE SET
                     last_error = excluded.last_error, updated_at = excluded.updated_at",
                params![account_id, stream, error, now],
            )?;
            Ok(())
        })
    }
}

/// Stores the cursor reached, in the same transaction as the items fetched up to it.
pub(super) fn save_cursor(
    tx: &Transaction<'_>,
    account_id: i64,
    stream: &str,
    cursor: Option<&str>,
    now: Millis,
) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (account_id, stream, cursor, last_ok_at, last_error, updated_at)
         VALUES (?1, ?2, ?3, ?4, NULL, ?4)
         ON CONFLICT (account_id, stream) DO UPDATE SET
             cursor = COALESCE(excluded.cursor, sync_state.cursor),
             last_ok_at = excluded.last_ok_at, last_error = NULL, updated_at = excluded.updated_at",
    )?
    .execute(params![account_id, stream, cursor, now])?;
    Ok(())
}
