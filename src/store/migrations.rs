//! Versioned schema migrations (rusqlite_migration keeps the version in `PRAGMA user_version`).

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::StoreResult;

/// Every migration, oldest first. Never edit one that has shipped: add a new one.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("sql/001_initial.sql")),
    M::up(include_str!("sql/002_triage.sql")),
    M::up(include_str!("sql/003_outbox_actions.sql")),
    M::up(include_str!("sql/004_reliability.sql")),
    M::up(include_str!("sql/005_hide_actions.sql")),
    M::up(include_str!("sql/006_private_replies.sql")),
    M::up(include_str!("sql/007_kind_index.sql")),
    M::up(include_str!("sql/008_presence.sql")),
    M::up(include_str!("sql/009_account_capabilities.sql")),
    M::up(include_str!("sql/010_people.sql")),
    M::up(include_str!("sql/011_reads.sql")),
    M::up(include_str!("sql/012_waiting_since.sql")),
    M::up(include_str!("sql/013_sentiment.sql")),
    M::up(include_str!("sql/014_integrations.sql")),
    M::up(include_str!("sql/015_fts_by_writer.sql")),
];

pub fn apply(conn: &mut Connection) -> StoreResult<()> {
    Migrations::from_slice(MIGRATIONS).to_latest(conn)?;
    Ok(())
}

/// The schema version a fully migrated database is at.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, latest_version() as i64);
    }
}
