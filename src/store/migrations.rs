//! Versioned schema migrations (rusqlite_migration keeps the version in `PRAGMA user_version`).

use std::sync::LazyLock;

use rusqlite::{Connection, Transaction, params};
use rusqlite_migration::{HookError, HookResult, M, Migrations};

use super::StoreResult;

/// Every migration, oldest first. Never edit one that has shipped: add a new one.
static MIGRATIONS: LazyLock<Vec<M<'static>>> = LazyLock::new(|| {
    vec![
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
        M::up_with_hook(
            include_str!("sql/016_checks_without_lists.sql"),
            rewrite_list_checks,
        ),
    ]
});

pub fn apply(conn: &mut Connection) -> StoreResult<()> {
    Migrations::from_slice(&MIGRATIONS).to_latest(conn)?;
    Ok(())
}

/// The CHECK constraints that name a list of three or more values: (table, column, values).
const LIST_CHECKS: &[(&str, &str, &[&str])] = &[
    (
        "conversations",
        "kind",
        &["comment", "ad_comment", "mention", "dm", "search"],
    ),
    ("conversations", "status", &["open", "closed", "snoozed"]),
    (
        "messages",
        "delivery",
        &["queued", "sending", "sent", "failed"],
    ),
    (
        "outbox",
        "action",
        &[
            "reply",
            "like",
            "unlike",
            "close",
            "hide",
            "unhide",
            "private_reply",
        ],
    ),
    ("outbox", "state", &["queued", "sending", "sent", "failed"]),
    (
        "notifications",
        "state",
        &["queued", "sending", "sent", "failed"],
    ),
];

/// Rewrites each of `LIST_CHECKS` from `column IN (…)` to `column = … OR …` in the stored table
/// definitions, as the SQLite docs describe for changing a CHECK constraint (writable schema,
/// then a new schema version so every other connection reads the tables again; `RESET` makes
/// this one read them again too). Each definition must
/// hold the old text exactly once, or nothing is changed.
fn rewrite_list_checks(tx: &Transaction<'_>) -> HookResult {
    let version: i64 = tx.query_row("PRAGMA schema_version", [], |row| row.get(0))?;
    tx.execute_batch("PRAGMA writable_schema = ON")?;
    for (table, column, values) in LIST_CHECKS {
        let quoted: Vec<String> = values.iter().map(|value| format!("'{value}'")).collect();
        let list = format!("CHECK ({column} IN ({}))", quoted.join(", "));
        let alternatives: Vec<String> = quoted
            .iter()
            .map(|value| format!("{column} = {value}"))
            .collect();
        let either = format!("CHECK ({})", alternatives.join(" OR "));
        let changed = tx.execute(
            "UPDATE sqlite_schema SET sql = replace(sql, ?2, ?3)
             WHERE type = 'table' AND name = ?1 AND instr(sql, ?2) > 0",
            params![table, list, either],
        )?;
        if changed != 1 {
            return Err(HookError::Hook(format!(
                "the table {table} has no CHECK constraint \"{list}\" to rewrite"
            )));
        }
    }
    tx.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = RESET;",
        version + 1
    ))?;
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
        assert!(Migrations::from_slice(&MIGRATIONS).validate().is_ok());
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

    #[test]
    fn a_database_of_version_15_keeps_its_rows_through_the_check_rewrite() {
        let mut conn = Connection::open_in_memory().unwrap();
        Migrations::from_slice(&MIGRATIONS)
            .to_version(&mut conn, 15)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, name, network, handle, created_at) VALUES (1, 'a', 'x', '@a', 0);
             INSERT INTO conversations (id, account_id, kind, root_remote_id, status, last_message_at,
                                        created_at) VALUES (7, 1, 'ad_comment', 'r', 'snoozed', 3, 0);
             INSERT INTO messages (conversation_id, account_id, remote_id, direction, author_name, text,
                                   created_at, delivery) VALUES (7, 1, 'm', 'out', 'a', 'hello', 3, 'failed');",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let kept: (String, String, String) = conn
            .query_row(
                "SELECT c.kind, c.status, m.delivery FROM conversations c
                 JOIN messages m ON m.conversation_id = c.id",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            kept,
            ("ad_comment".into(), "snoozed".into(), "failed".into())
        );
        assert!(
            conn.execute("UPDATE conversations SET status = 'gone'", [])
                .is_err()
        );
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
    }

    /// The opcodes SQLite runs for `sql`.
    fn opcodes(conn: &Connection, sql: &str) -> Vec<String> {
        let mut explain = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
        explain
            .query_map([], |row| row.get::<_, String>(1))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn storing_a_conversation_or_a_message_builds_no_temporary_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        for sql in [
            "INSERT INTO conversations (account_id, kind, root_remote_id, last_message_at, created_at)
             VALUES (1, 'mention', 'r', 0, 0)",
            "INSERT INTO messages (conversation_id, account_id, remote_id, direction, author_name,
                                   text, created_at, delivery)
             VALUES (1, 1, 'm', 'in', 'a', 't', 0, 'sent')",
            "UPDATE conversations SET status = 'closed' WHERE id = 1",
        ] {
            let opcodes = opcodes(&conn, sql);
            assert!(
                !opcodes.iter().any(|op| op == "OpenEphemeral"),
                "{sql}: {opcodes:?}"
            );
        }
    }

    #[test]
    fn rewritten_checks_accept_and_refuse_the_same_values() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        // The CHECKs alone are tested: rows need not point at others.
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO accounts (id, name, network, handle, created_at) VALUES (1, 'a', 'x', '@a', 0);",
        )
        .unwrap();
        for (table, column, values) in LIST_CHECKS {
            let definition: String = conn
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                    [table],
                    |row| row.get(0),
                )
                .unwrap();
            assert!(
                !definition.contains(&format!("{column} IN (")),
                "{definition}"
            );
            for value in *values {
                assert!(
                    check_accepts(&conn, table, column, value),
                    "{table}.{column} = {value}"
                );
            }
            assert!(
                !check_accepts(&conn, table, column, "nonsense"),
                "{table}.{column}"
            );
        }
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
    }

    /// Whether a row of `table` with `column` set to `value` passes the table's CHECKs (its
    /// other columns filled with values that do), in a transaction rolled back afterwards.
    fn check_accepts(conn: &Connection, table: &str, column: &str, value: &str) -> bool {
        let row = match table {
            "conversations" => {
                "INSERT INTO conversations (account_id, kind, root_remote_id, last_message_at,
                                            created_at) VALUES (1, 'dm', 'r', 0, 0)"
            }
            "messages" => {
                "INSERT INTO conversations (id, account_id, kind, root_remote_id, last_message_at,
                                            created_at) VALUES (1, 1, 'dm', 'r', 0, 0);
                 INSERT INTO messages (conversation_id, account_id, direction, author_name, text,
                                       created_at) VALUES (1, 1, 'out', 'a', 't', 0)"
            }
            "outbox" => {
                "INSERT INTO conversations (id, account_id, kind, root_remote_id, last_message_at,
                                            created_at) VALUES (1, 1, 'dm', 'r', 0, 0);
                 INSERT INTO outbox (account_id, conversation_id, action, idempotency_key,
                                     next_attempt_at, agent, created_at, updated_at)
                 VALUES (1, 1, 'like', 'k', 0, 'ana', 0, 0)"
            }
            _ => {
                "INSERT INTO notifications (channel, event_id, event, payload, next_attempt_at,
                                            created_at, updated_at)
                 VALUES ('slack:team', 1, 'assigned', '{}', 0, 0, 0)"
            }
        };
        conn.execute_batch(&format!("SAVEPOINT probe; {row};"))
            .unwrap();
        let accepted = conn
            .execute(&format!("UPDATE {table} SET {column} = ?1"), [value])
            .is_ok();
        conn.execute_batch("ROLLBACK TO probe; RELEASE probe;")
            .unwrap();
        accepted
    }
}
