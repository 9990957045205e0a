-- hark schema, version 1. Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,       -- the name used in the config file
    network         TEXT NOT NULL,
    handle          TEXT NOT NULL,
    remote_id       TEXT,
    display_name    TEXT,
    credentials_ref TEXT,                       -- where the secret lives (never the secret)
    created_at      INTEGER NOT NULL
);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    network       TEXT NOT NULL,
    remote_id     TEXT NOT NULL,
    handle        TEXT NOT NULL,
    name          TEXT,
    avatar_url    TEXT,
    bio           TEXT,
    followers     INTEGER,
    profile_url   TEXT,
    -- entered by the team
    email         TEXT,
    order_ref     TEXT,
    custom_fields TEXT NOT NULL DEFAULT '{}',   -- JSON object
    vip           INTEGER NOT NULL DEFAULT 0,
    person_id     INTEGER REFERENCES contacts(id), -- links one person across networks
    updated_at    INTEGER NOT NULL,
    UNIQUE (network, remote_id)
);

CREATE TABLE contact_notes (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX contact_notes_by_contact ON contact_notes (contact_id, created_at);

CREATE TABLE conversations (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts(id),
    kind              TEXT NOT NULL CHECK (kind IN ('comment', 'ad_comment', 'mention', 'dm', 'search')),
    root_remote_id    TEXT NOT NULL,
    contact_id        INTEGER REFERENCES contacts(id),
    subject           TEXT,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'snoozed')),
    snoozed_until     INTEGER,
    priority          INTEGER NOT NULL DEFAULT 0,  -- 0 normal, 1 high, 2 urgent
    assignee          TEXT,
    unread            INTEGER NOT NULL DEFAULT 1,
    snippet           TEXT NOT NULL DEFAULT '',
    message_count     INTEGER NOT NULL DEFAULT 0,
    last_message_at   INTEGER NOT NULL,
    last_inbound_at   INTEGER,
    first_response_at INTEGER,
    closed_at         INTEGER,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, kind, root_remote_id)
);
-- Keyset pagination: each folder walks one of these in (last_message_at, id) order.
CREATE INDEX conversations_by_status ON conversations (status, last_message_at, id);
CREATE INDEX conversations_by_assignee ON conversations (status, assignee, last_message_at, id);
CREATE INDEX conversations_by_account ON conversations (account_id, status, last_message_at, id);
CREATE INDEX conversations_by_contact ON conversations (contact_id);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL REFERENCES conversations(id),
    account_id        INTEGER NOT NULL REFERENCES accounts(id),
    remote_id         TEXT,                      -- NULL until an outbound message is delivered
    parent_remote_id  TEXT,
    direction         TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author_contact_id INTEGER REFERENCES contacts(id),
    author_name       TEXT NOT NULL,
    agent             TEXT,                      -- the team member who wrote an outbound message
    text              TEXT NOT NULL,
    raw               TEXT,                      -- the network's JSON, for reparsing later
    created_at        INTEGER NOT NULL,
    liked             INTEGER NOT NULL DEFAULT 0,
    hidden            INTEGER NOT NULL DEFAULT 0,
    delivery          TEXT CHECK (delivery IN ('queued', 'sending', 'sent', 'failed')),
    UNIQUE (account_id, remote_id)
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at, id);

-- Full-text search over message text and author names (external content: no second copy of the text).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text, author_name,
    content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text, author_name) VALUES (new.id, new.text, new.author_name);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text, author_name)
        VALUES ('delete', old.id, old.text, old.author_name);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, author_name ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text, author_name)
        VALUES ('delete', old.id, old.text, old.author_name);
    INSERT INTO messages_fts (rowid, text, author_name) VALUES (new.id, new.text, new.author_name);
END;

CREATE TABLE tags (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    colour TEXT
);

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    tag_id          INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (conversation_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_by_tag ON conversation_tags (tag_id, conversation_id);

CREATE TABLE saved_replies (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    shortcut     TEXT UNIQUE,
    tags         TEXT NOT NULL DEFAULT '[]',     -- JSON array of tag names
    use_count    INTEGER NOT NULL DEFAULT 0,
    last_used_at INTEGER,
    created_at   INTEGER NOT NULL
);

CREATE TABLE drafts (
    agent           TEXT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    body            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (agent, conversation_id)
) WITHOUT ROWID;

-- Durable queue of everything hark asks a network to do: a row is written before any network call.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    message_id       INTEGER REFERENCES messages(id),  -- the outbound message, for replies
    action           TEXT NOT NULL CHECK (action IN ('reply', 'like', 'unlike')),
    target_remote_id TEXT,                              -- the message replied to or liked
    idempotency_key  TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'queued'
                         CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    agent            TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (account_id, state, next_attempt_at);

CREATE TABLE sync_state (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    stream      TEXT NOT NULL,
    cursor      TEXT,
    last_ok_at  INTEGER,
    last_error  TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, stream)
) WITHOUT ROWID;

-- Append-only audit log: who did what, when. Every report metric is computed from it.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,                 -- an agent's name, or 'sync'
    kind            TEXT NOT NULL,
    account_id      INTEGER,
    conversation_id INTEGER,
    message_id      INTEGER,
    data            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_time ON events (at);
CREATE INDEX events_by_conversation ON events (conversation_id, at);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
