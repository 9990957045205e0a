-- hark schema, version 10: the people of a team box and their roles. Keyed by Unix login, which
-- hark reads from the process (a config file can claim any name; the login it cannot). While
-- nobody is listed, everyone is an admin (one person, or a team not yet set up).
CREATE TABLE people (
    login      TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    added_by   TEXT NOT NULL,
    added_at   INTEGER NOT NULL
);
