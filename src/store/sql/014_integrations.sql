-- hark schema, version 14: integrations. Notifications (Slack messages, hook runs) are queued
-- from the events log, in the same transaction that moves each channel's place in it, and
-- delivered with retries like the outbox: nothing is sent twice for one event and channel, and
-- nothing is lost when the process or the receiver is down.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,                  -- 'slack:NAME' or 'hook:NAME'
    event_id        INTEGER NOT NULL REFERENCES events(id),
    event           TEXT NOT NULL,                  -- new_conversation, assigned, ...
    conversation_id INTEGER REFERENCES conversations(id),
    payload         TEXT NOT NULL,                  -- the event as JSON, as of when it was queued
    state           TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    claimed_by      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (channel, event_id)
);
CREATE INDEX notifications_due ON notifications (channel, state, next_attempt_at);

-- How far each channel has read the events log.
CREATE TABLE notification_cursors (
    channel       TEXT PRIMARY KEY,
    last_event_id INTEGER NOT NULL
) WITHOUT ROWID;

-- Help Scout Docs search results, by query, for the composer's article picker.
CREATE TABLE docs_search_cache (
    query      TEXT PRIMARY KEY,
    articles   TEXT NOT NULL,                       -- JSON array
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
