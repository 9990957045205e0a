-- hark schema, version 9: what each account's network can do, written by whoever connects it
-- (the sync daemon, holding the tokens), so that teammates' inboxes without the tokens still
-- know its reply limit, whether it can hide a reply, its messaging window…
ALTER TABLE accounts ADD COLUMN capabilities TEXT;
