//! The SQLite cache: schema, migrations and typed queries.
//!
//! Every process (and every task that needs the database) opens its own [`Store`]; SQLite in WAL
//! mode lets readers run beside one writer. Every write goes through [`Store::write`], which starts
//! with `BEGIN IMMEDIATE` so that a busy database waits (up to the busy timeout) instead of failing
//! half-way through a read-then-write transaction.

mod accounts;
mod contacts;
mod conversations;
mod drafts;
mod events;
pub mod filesystem;
mod ingest;
pub mod lease;
mod messages;
mod migrations;
mod notifications;
mod outbox;
mod people;
mod presence;
mod reports;
mod saved_replies;
mod sync_state;
mod triage;
mod troubles;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use accounts::{Account, NewAccount};
pub use contacts::{Contact, ContactFields};
pub use conversations::{ConversationDetail, ConversationRow, FolderCounts, PageCursor, SearchHit};
pub use drafts::Draft;
pub use events::{Event, EventKind, SYNC_ACTOR};
pub use ingest::{IngestReport, OpenIngest, PageSource, PreparedItem, prepare};
pub use lease::Lease;
pub use messages::MessageRow;
pub use migrations::latest_version as latest_schema_version;
pub use notifications::{ChannelHealth, ChannelSubscription, Notification};
pub use outbox::{ClaimedAction, OutboxRow, QueuedReply};
pub use people::Person;
pub use presence::{PRESENCE_TTL, Presence};
pub use reports::ReportFilter;
pub use saved_replies::{ImportReport, SavedReply, SavedReplyDraft};
pub use sync_state::SyncCursor;
pub use triage::{MAX_PRIORITY, Note, StoredMessage, Tag};
pub use troubles::Trouble;

/// SQLite's own default: the log is copied into the database once it passes this many pages.
const AUTO_CHECKPOINT_PAGES: u32 = 1000;

/// How long a writer waits for another process's write transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("could not open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("could not create the database folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Rejected(String),
    /// A reply was not queued: someone else answered the conversation since the person
    /// started writing (they are shown it and may send theirs anyway).
    #[error("{who} replied meanwhile: {text}")]
    TeammateReplied {
        who: String,
        text: String,
        /// The newest message id now, to send anyway past.
        latest_message_id: i64,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// In a setgid folder — a team box, where the folder's group is the team — the database must
/// be readable and writable by the group whatever the umask of whoever created it; SQLite gives
/// its WAL and shared-memory files the database file's mode. Elsewhere nothing changes.
fn share_with_the_group(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let setgid_folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.permissions().mode() & 0o2000 != 0);
        if !setgid_folder {
            return;
        }
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o060 != 0o060
                && let Err(err) =
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o060))
            {
                tracing::warn!(%err, "could not make the team database group-writable");
            }
        }
    }
}

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// This inbox as teammates' presence lists name it: `host:pid` (see [`lease::this_process`]).
    inbox: String,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Store> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        share_with_the_group(path);
        Self::prepare(conn, Some(path.to_owned()))
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> StoreResult<Store> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> StoreResult<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode answers with a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000;",
        )?;
        migrations::apply(&mut conn)?;
        // Whose read marks the lists show: set by `read_as`; nobody's until then.
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS reader (agent TEXT);
             CREATE TEMP TABLE IF NOT EXISTS sla (kind TEXT NOT NULL, key TEXT, minutes INTEGER NOT NULL);",
        )?;
        Ok(Store {
            conn,
            path,
            inbox: lease::this_process(),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Does `work` leaving the copying of the write-ahead log into the database file to
    /// [`Store::checkpoint`] on another connection: SQLite otherwise does it inside whichever
    /// commit finds the log past 1,000 pages, and that commit waits for it. Later work on this
    /// connection checkpoints as usual again.
    pub fn with_checkpoints_left_to_others<T>(
        &mut self,
        work: impl FnOnce(&mut Store) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.conn.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
        let result = work(self);
        self.conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {AUTO_CHECKPOINT_PAGES}"
        ))?;
        result
    }

    /// Copies what it can of the write-ahead log into the database file without waiting for
    /// readers or writers (a passive checkpoint).
    pub fn checkpoint(&self) -> StoreResult<()> {
        // The pragma answers with a row (busy, log frames, frames copied).
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The response-time targets the Overdue folder uses on this connection: (kind, key,
    /// minutes) with kind "default" (no key), "network" (its name) or "tag" (its name).
    pub fn use_sla(&mut self, targets: &[(String, Option<String>, i64)]) -> StoreResult<()> {
        self.conn.execute("DELETE FROM temp.sla", [])?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO temp.sla (kind, key, minutes) VALUES (?1, ?2, ?3)")?;
        for (kind, key, minutes) in targets {
            insert.execute(rusqlite::params![kind, key, minutes])?;
        }
        Ok(())
    }

    /// Lists on this connection show `agent`'s read marks.
    pub fn read_as(&mut self, agent: &str) -> StoreResult<()> {
        self.conn.execute("DELETE FROM temp.reader", [])?;
        self.conn
            .execute("INSERT INTO temp.reader (agent) VALUES (?1)", [agent])?;
        Ok(())
    }

    /// Names this connection's inbox for presence as another process would be named: tests run
    /// several "inboxes" in one process this way.
    pub fn as_inbox(mut self, name: &str) -> Store {
        name.clone_into(&mut self.inbox);
        self
    }

    /// Runs `work` in one write transaction started with `BEGIN IMMEDIATE`; commits if it
    /// returns Ok, rolls back otherwise.
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// The read connection, for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A number that changes whenever another connection commits to this database; cheap to poll.
    pub fn data_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    pub fn integrity_check(&self) -> StoreResult<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

/// The model's text enums are stored as their text names; a name hark does not know (a newer
/// version wrote it, or the file was edited) becomes an error naming the value.
macro_rules! sql_text_enum {
    ($($name:ty),+) => {$(
        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|err| rusqlite::types::FromSqlError::Other(Box::new(err)))
            }
        }
    )+};
}

sql_text_enum!(
    crate::model::NetworkKind,
    crate::model::ConversationKind,
    crate::model::Status,
    crate::model::Direction,
    crate::model::Delivery,
    crate::model::OutboxAction,
    crate::model::Activity,
    crate::model::Role,
    crate::model::Sentiment
);
