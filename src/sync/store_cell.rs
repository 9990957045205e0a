//! The sync engine's own database connection, used from async code without blocking it: every
//! call runs on tokio's blocking pool. The connection is opened on first use.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use super::SyncError;
use crate::store::{Store, StoreResult};

#[derive(Clone)]
pub struct StoreCell {
    inner: Arc<Mutex<Slot>>,
}

struct Slot {
    path: PathBuf,
    store: Option<Box<Store>>,
}

impl StoreCell {
    /// A connection to the database at `path`, opened when first needed.
    pub fn new(path: PathBuf) -> StoreCell {
        StoreCell {
            inner: Arc::new(Mutex::new(Slot { path, store: None })),
        }
    }

    /// Uses a connection that is already open.
    pub fn from_store(store: Store) -> StoreCell {
        StoreCell {
            inner: Arc::new(Mutex::new(Slot {
                path: store.path().map(PathBuf::from).unwrap_or_default(),
                store: Some(Box::new(store)),
            })),
        }
    }

    /// The database file, when there is one (not for an in-memory database).
    pub fn path(&self) -> Option<PathBuf> {
        let slot = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        (!slot.path.as_os_str().is_empty()).then(|| slot.path.clone())
    }

    pub async fn run<T, F>(&self, work: F) -> Result<T, SyncError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> StoreResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let joined = tokio::task::spawn_blocking(move || {
            let mut slot = inner.lock().unwrap_or_else(PoisonError::into_inner);
            let mut store = match slot.store.take() {
                Some(store) => store,
                None => Box::new(Store::open(&slot.path)?),
            };
            let result = work(&mut store);
            slot.store = Some(store);
            result
        })
        .await;
        match joined {
            Ok(result) => Ok(result?),
            Err(join_error) => Err(SyncError::Task(join_error.to_string())),
        }
    }
}
