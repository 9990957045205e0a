-- hark schema, version 6: the outbox also sends private replies (a public comment answered in the
-- commenter's private inbox, Facebook and Instagram), and a message records that it was one.
-- SQLite cannot change a CHECK, so the table is rebuilt with its rows.

CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    message_id       INTEGER REFERENCES messages(id),
    action           TEXT NOT NULL CHECK (action IN ('reply', 'like', 'unlike', 'close', 'hide', 'unhide', 'private_reply')),
    target_remote_id TEXT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'queued'
                         CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    agent            TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    claimed_by       TEXT
);
INSERT INTO outbox_new SELECT * FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (account_id, state, next_attempt_at);

-- 1 when an outbound message went to the commenter's private inbox rather than under the comment.
ALTER TABLE messages ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
-- Finds the private reply a comment already has (one per comment).
CREATE INDEX outbox_by_target ON outbox (account_id, action, target_remote_id);
-- A draft may be a private reply: the comment (message id) it answers.
ALTER TABLE drafts ADD COLUMN private_to INTEGER;
