-- hark schema, version 4: one syncing process per database, and deliveries that know which
-- process claimed them.

-- Who fetches from the networks for this database: one process at a time, kept alive by a
-- heartbeat; another may take over when the heartbeat stops.
CREATE TABLE sync_lease (
    name         TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,      -- host:pid
    acquired_at  INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

-- The process (host:pid) delivering an entry that is `sending`.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
