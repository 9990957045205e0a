//! Copies the database's write-ahead log into the database file on a connection and thread of
//! its own while the sync writes pages, so that a page's commit never waits for it (SQLite
//! otherwise does it inside whichever commit finds the log past 1,000 pages).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::StoreCell;

/// Fetched pages written between two checkpoints: storing a page dirties about forty database
/// pages, so this copies about as much at a time as SQLite's own 1,000-page threshold, and the
/// pages every write touches (list indexes, the search index's newest segment) are copied once
/// per round rather than once per write.
const PAGES_PER_CHECKPOINT: usize = 16;

#[derive(Clone)]
pub(super) struct Checkpointer {
    /// Its own connection; None for a database without a file.
    cell: Option<StoreCell>,
    running: Arc<AtomicBool>,
    /// Fetched pages written since the last checkpoint began.
    pages: Arc<AtomicUsize>,
}

impl Checkpointer {
    pub fn for_database(path: Option<std::path::PathBuf>) -> Checkpointer {
        Checkpointer {
            cell: path.map(StoreCell::new),
            running: Arc::new(AtomicBool::new(false)),
            pages: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Whether the sync's own connection may leave checkpoints to this one.
    pub fn enabled(&self) -> bool {
        self.cell.is_some()
    }

    /// Counts pages written; every `PAGES_PER_CHECKPOINT` pages starts a passive checkpoint
    /// unless one is running (the log only grows, so the next one catches up with what this
    /// one left).
    pub fn pages_written(&self, pages: usize) {
        let Some(cell) = self.cell.clone() else {
            return;
        };
        if self.pages.fetch_add(pages, Ordering::AcqRel) + pages < PAGES_PER_CHECKPOINT
            || self.running.swap(true, Ordering::AcqRel)
        {
            return;
        }
        self.pages.store(0, Ordering::Release);
        let running = Arc::clone(&self.running);
        tokio::spawn(async move {
            if let Err(error) = cell.run(|store| store.checkpoint()).await {
                tracing::warn!(%error, "could not copy the write-ahead log into the database");
            }
            running.store(false, Ordering::Release);
        });
    }
}
