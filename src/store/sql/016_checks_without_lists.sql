-- hark schema, version 16: CHECK constraints of the form `column IN ('a', 'b', 'c', …)` become
-- `column = 'a' OR column = 'b' OR …`. SQLite evaluates a CHECK with a list of three or more
-- values by building a temporary index of the list on every row written, which cost about a
-- fifth of storing a message. The two forms accept exactly the same values, so the change is
-- made to the stored table definitions alone (the procedure the SQLite docs give for changing
-- CHECK constraints; see `migrations::rewrite_list_checks`), without copying any table.
-- A later migration that rebuilds one of these tables keeps the OR form.
SELECT 1;
