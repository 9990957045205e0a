-- hark schema, version 2: triage (notes, languages, sort by priority, snooze wake-up).

-- Notes the team writes on a conversation: never sent to the network.
CREATE TABLE conversation_notes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    author          TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX conversation_notes_by_conversation ON conversation_notes (conversation_id, created_at);

-- The language detected in a message (ISO 639-3, e.g. 'eng', 'cmn') when a rule needed it.
ALTER TABLE messages ADD COLUMN language TEXT;

-- Folders sorted by priority, and snoozed conversations found by wake-up time.
CREATE INDEX conversations_by_priority ON conversations (status, priority, last_message_at, id);
CREATE INDEX conversations_by_snooze ON conversations (status, snoozed_until);
CREATE INDEX contacts_by_person ON contacts (person_id);
