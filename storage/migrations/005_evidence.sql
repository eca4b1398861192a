-- Evidence: receipts and signed checkpoints of the audit log. A receipt's statement is fixed in
-- the transaction of the decision it acknowledges; the hub adds its signature before the receipt
-- is first served (a client-signed retrieval receipt arrives signed). Nothing here is ever
-- changed or removed, except that a missing hub signature may be filled in once.

CREATE TABLE receipts (
  id          TEXT PRIMARY KEY,
  packet_id   TEXT NOT NULL REFERENCES packets (id),
  kind        TEXT NOT NULL,
  issuer      TEXT NOT NULL,                    -- fingerprint of the signing key (hub or person)
  party       TEXT NOT NULL,
  statement   TEXT NOT NULL,                    -- canonical JSON, exactly as signed
  signature   TEXT,                             -- armored detached signature; NULL until the hub signs
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX receipts_packet ON receipts (packet_id, created_at);

CREATE TRIGGER receipts_sign_once BEFORE UPDATE ON receipts
WHEN OLD.signature IS NOT NULL OR NEW.signature IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.packet_id IS NOT OLD.packet_id OR NEW.kind IS NOT OLD.kind
  OR NEW.issuer IS NOT OLD.issuer OR NEW.party IS NOT OLD.party OR NEW.statement IS NOT OLD.statement
  OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;

-- One signed checkpoint per log size.
CREATE TABLE checkpoints (
  size        INTEGER PRIMARY KEY,
  statement   TEXT NOT NULL,                    -- canonical JSON
  signature   TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
