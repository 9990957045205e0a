-- hark schema, version 13: how each customer message sounds (positive, neutral, negative; NULL
-- when it cannot be told), and the latest of a conversation's, for the list and the rules.
ALTER TABLE messages ADD COLUMN sentiment TEXT;
ALTER TABLE conversations ADD COLUMN sentiment TEXT;
