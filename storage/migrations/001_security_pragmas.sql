-- Persistent security settings of the database file itself. Connection-level pragmas
-- (foreign_keys, secure_delete, synchronous, busy_timeout) are set on every open in db.ts.
PRAGMA auto_vacuum = FULL;
