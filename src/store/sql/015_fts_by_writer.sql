-- hark schema, version 15: new messages are indexed for search by the code that writes them,
-- in one statement at the end of its transaction, instead of by a trigger per row. FTS5 writes
-- its pending terms to disk at the start of every later statement in a transaction, so a
-- trigger made an ingest of a thousand messages write a thousand tiny index segments (and merge
-- them); one INSERT … SELECT at the end writes one. Deletes and edits keep their triggers.
DROP TRIGGER messages_fts_insert;
