-- A membership statement's validFrom: a member is not active before it, on the hub as on
-- the client. NULL for rows enrolled before this column (their statements were active at once).
ALTER TABLE members ADD COLUMN valid_from TEXT;

-- Receipts still waiting for the hub's signature: looked up after every request (they
-- are signed after the write that records them, never in a GET), so that look-up is indexed.
CREATE INDEX receipts_unsigned ON receipts (id) WHERE signature IS NULL;
