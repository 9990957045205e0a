//! Which process syncs a database: a lease row with a heartbeat. Other processes read and make
//! short writes; only the holder fetches from the networks. When the holder stops beating (it
//! died, or the machine slept) for longer than the lease lasts, another process takes over.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreResult};
use crate::model::Millis;

const SYNC: &str = "sync";

/// This process, as lease holders and outbox claims name it: `host:pid`.
pub fn this_process() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}

/// Whether the process named `host:pid` is still running, as far as this machine can tell:
/// a process on this host is looked up; one on another host is assumed alive.
pub fn process_alive(holder: &str) -> bool {
    let mine = this_process();
    let (host, pid) = holder.rsplit_once(':').unwrap_or((holder, ""));
    let my_host = mine.rsplit_once(':').map_or("", |(h, _)| h);
    if host != my_host {
        return true;
    }
    if pid == std::process::id().to_string() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return std::path::Path::new(&format!("/proc/{pid}")).exists();
    }
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub holder: String,
    pub heartbeat_at: Millis,
}

impl Store {
    /// Takes (or keeps) the sync lease for `holder`. Succeeds when nobody holds it, the holder is
    /// this one, the holder's heartbeat is older than `ttl`, or the holder's process is gone.
    /// Answers who holds it afterwards.
    pub fn acquire_sync_lease(
        &mut self,
        holder: &str,
        now: Millis,
        ttl: Millis,
    ) -> StoreResult<Lease> {
        self.write(|tx| {
            let current: Option<Lease> = tx
                .query_row("SELECT holder, heartbeat_at FROM sync_lease WHERE name = ?1", [SYNC], |r| {
                    Ok(Lease { holder: r.get(0)?, heartbeat_at: r.get(1)? })
                })
                .optional()?;
            let free = match &current {
                None => true,
                Some(lease) => {
                    lease.holder == holder || lease.heartbeat_at + ttl < now || !process_alive(&lease.holder)
                }
            };
            if !free {
                return Ok(current.unwrap_or(Lease { holder: String::new(), heartbeat_at: 0 }));
            }
            tx.execute(
                "INSERT INTO sync_lease (name, holder, acquired_at, heartbeat_at) VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT (name) DO UPDATE SET
                     acquired_at = CASE WHEN sync_lease.holder = excluded.holder THEN sync_lease.acquired_at ELSE excluded.acquired_at END,
                     holder = excluded.holder, heartbeat_at = excluded.heartbeat_at",
                params![SYNC, holder, now],
            )?;
            Ok(Lease { holder: holder.to_owned(), heartbeat_at: now })
        })
    }

    /// Gives the lease up (on a clean exit), so the next process need not wait.
    pub fn release_sync_lease(&mut self, holder: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM sync_lease WHERE name = ?1 AND holder = ?2",
                params![SYNC, holder],
            )?;
            Ok(())
        })
    }

    pub fn sync_lease(&self) -> StoreResult<Option<Lease>> {
        Ok(self
            .conn
            .query_row(
                "SELECT holder, heartbeat_at FROM sync_lease WHERE name = ?1",
                [SYNC],
                |r| {
                    Ok(Lease {
                        holder: r.get(0)?,
                        heartbeat_at: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }
}
