-- hark schema, version 11: read marks per person. A conversation with news (`unread`: the
-- customer wrote after the brand's last reply) is unread for each teammate until they open it.
CREATE TABLE reads (
    agent           TEXT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (agent, conversation_id)
) WITHOUT ROWID;
