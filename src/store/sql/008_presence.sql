-- hark schema, version 8: teammates on one database see who is looking at or answering which
-- conversation (one row per running inbox, refreshed by a heartbeat), and an assignee sees
-- what was assigned to them until they open it.

CREATE TABLE presence (
    process         TEXT PRIMARY KEY,          -- host:pid of the inbox
    agent           TEXT NOT NULL,
    conversation_id INTEGER NOT NULL,
    activity        TEXT NOT NULL CHECK (activity IN ('viewing', 'replying')),
    updated_at      INTEGER NOT NULL
);

-- 1 when someone else assigned the conversation and the assignee has not opened it since.
ALTER TABLE conversations ADD COLUMN assignment_unseen INTEGER NOT NULL DEFAULT 0;
