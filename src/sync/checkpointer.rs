//! Copies the database's write-ahead log into the database file on a connection and thread of
//! its own while the sync writes pages, so that a page's commit never waits for it (SQLite
//! otherwise does it inside whichever commit finds the log past 1,000 pages).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::StoreCell;

#[derive(Clone)]
pub(super) struct Checkpointer {
    /// Its own connection; None for a database without a file.
    cell: Option<StoreCell>,
    running: Arc<AtomicBool>,
}

impl Checkpointer {
    pub fn for_database(path: Option<std::path::PathBuf>) -> Checkpointer {
        Checkpointer {
            cell: path.map(StoreCell::new),
            running: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether the sync's own connection may leave checkpoints to this one.
    pub fn enabled(&self) -> bool {
        self.cell.is_some()
    }

    /// Starts a passive checkpoint unless one is running (the log only grows, so the next
    /// one catches up with what this one left).
    pub fn start(&self) {
        let Some(cell) = self.cell.clone() else {
            return;
        };
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let running = Arc::clone(&self.running);
        tokio::spawn(async move {
            if let Err(error) = cell.run(|store| store.checkpoint()).await {
                tracing::warn!(%error, "could not copy the write-ahead log into the database");
            }
            running.store(false, Ordering::Release);
        });
    }
}
