//! Brand accounts on the networks.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::model::{Millis, NetworkKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub network: NetworkKind,
    pub handle: String,
    pub remote_id: Option<String>,
    pub display_name: Option<String>,
    pub credentials_ref: Option<String>,
}

/// What the config (or a network's "who am I") says about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub network: NetworkKind,
    pub handle: String,
    pub remote_id: Option<String>,
    pub display_name: Option<String>,
    pub credentials_ref: Option<String>,
}

const COLUMNS: &str = "id, name, network, handle, remote_id, display_name, credentials_ref";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: row.get(0)?,
        name: row.get(1)?,
        network: row.get(2)?,
        handle: row.get(3)?,
        remote_id: row.get(4)?,
        display_name: row.get(5)?,
        credentials_ref: row.get(6)?,
    })
}

impl Store {
    /// Inserts the account, or refreshes what the config says about it; returns its id.
    pub fn upsert_account(&mut self, account: &NewAccount, now: Millis) -> StoreResult<i64> {
        self.write(|tx| upsert_account_in(tx, account, now))
    }

    /// Records what the account's network can do, for inboxes that cannot connect it.
    pub fn set_account_capabilities(
        &mut self,
        account_id: i64,
        capabilities: &crate::networks::Capabilities,
    ) -> StoreResult<()> {
        let json = serde_json::to_string(capabilities)
            .map_err(|err| super::StoreError::Rejected(err.to_string()))?;
        self.write(|tx| {
            tx.execute(
                "UPDATE accounts SET capabilities = ?2 WHERE id = ?1 AND capabilities IS NOT ?2",
                params![account_id, json],
            )?;
            Ok(())
        })
    }

    /// What the account's network can do, as the last process that connected it recorded;
    /// None when none did (or the record cannot be read: it is only a hint).
    pub fn account_capabilities(
        &self,
        account_id: i64,
    ) -> StoreResult<Option<crate::networks::Capabilities>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT capabilities FROM accounts WHERE id = ?1",
                [account_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(json.and_then(|text| serde_json::from_str(&text).ok()))
    }

    pub fn accounts(&self) -> StoreResult<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts ORDER BY name"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn account(&self, id: i64) -> StoreResult<Option<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"))?;
        Ok(stmt.query_row([id], from_row).optional()?)
    }

    pub fn account_by_name(&self, name: &str) -> StoreResult<Option<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE name = ?1"))?;
        Ok(stmt.query_row([name], from_row).optional()?)
    }
}

pub(super) fn upsert_account_in(
    tx: &Transaction<'_>,
    account: &NewAccount,
    now: Millis,
) -> StoreResult<i64> {
    let id = tx.query_row(
        "INSERT INTO accounts (name, network, handle, remote_id, display_name, credentials_ref, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (name) DO UPDATE SET
             network = excluded.network,
             handle = excluded.handle,
             remote_id = COALESCE(excluded.remote_id, accounts.remote_id),
             display_name = COALESCE(excluded.display_name, accounts.display_name),
             credentials_ref = excluded.credentials_ref
         RETURNING id",
        params![
            account.name,
            account.network,
            account.handle,
            account.remote_id,
            account.display_name,
            account.credentials_ref,
            now
        ],
        |row| row.get(0),
    )?;
    Ok(id)
}
