-- hark schema, version 7: a folder per conversation kind (the Searches folder of X searches)
-- walks this index like the status folders walk theirs.
CREATE INDEX conversations_by_kind ON conversations (kind, status, last_message_at, id);
