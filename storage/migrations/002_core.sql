-- The hub's rows: who is enrolled, what was exchanged, what may be released. Packet contents
-- never appear here: parts are opaque ciphertext in the blob store, named by their SHA-256.

CREATE TABLE hub_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE members (
  fingerprint        TEXT PRIMARY KEY,
  party              TEXT NOT NULL,
  name               TEXT NOT NULL,
  roles              TEXT NOT NULL,            -- JSON array of roles
  clearance          TEXT NOT NULL CHECK (clearance IN ('RESTRICTED','CONFIDENTIAL','SECRET','TOP SECRET')),
  public_key         TEXT NOT NULL,            -- armored public key
  encryption_key_id  TEXT NOT NULL,            -- the key ID a PKESK names for this member
  enrolled_at        TEXT NOT NULL,
  revoked_at         TEXT,
  revocation_reason  TEXT
) STRICT;
CREATE INDEX members_party ON members (party);

CREATE TABLE challenges (
  challenge_hash TEXT PRIMARY KEY,
  fingerprint    TEXT NOT NULL REFERENCES members (fingerprint),
  expires_at     TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
  token_hash    TEXT PRIMARY KEY,                -- SHA-256 of the bearer token; the token is never stored
  fingerprint   TEXT NOT NULL REFERENCES members (fingerprint),
  created_at    TEXT NOT NULL,
  last_used_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL
) STRICT;

CREATE TABLE packets (
  id                  TEXT PRIMARY KEY,
  agreement_id        TEXT NOT NULL,
  sender_party        TEXT NOT NULL,
  sender_fingerprint  TEXT NOT NULL REFERENCES members (fingerprint),
  kind                TEXT NOT NULL,
  level               TEXT NOT NULL,
  labels              TEXT NOT NULL,            -- JSON: national label by party
  state               TEXT NOT NULL CHECK (state IN ('draft','submitted')),
  revision            INTEGER NOT NULL,
  created_at          TEXT NOT NULL,
  submitted_at        TEXT
) STRICT;

-- Every signed manifest a packet has had; the packet's current one has its revision.
CREATE TABLE packet_revisions (
  packet_id   TEXT NOT NULL REFERENCES packets (id),
  revision    INTEGER NOT NULL,
  manifest    TEXT NOT NULL,                    -- canonical JSON, exactly as signed
  signature   TEXT NOT NULL,                    -- armored detached signature
  signed_by   TEXT NOT NULL REFERENCES members (fingerprint),
  created_at  TEXT NOT NULL,
  PRIMARY KEY (packet_id, revision)
) STRICT;

CREATE TABLE packet_recipients (
  packet_id  TEXT NOT NULL REFERENCES packets (id),
  party      TEXT NOT NULL,
  PRIMARY KEY (packet_id, party)
) STRICT;
CREATE INDEX packet_recipients_party ON packet_recipients (party);

CREATE TABLE parts (
  packet_id   TEXT NOT NULL REFERENCES packets (id),
  part_id     TEXT NOT NULL,
  role        TEXT NOT NULL,
  lang        TEXT NOT NULL,
  media_type  TEXT NOT NULL,
  size        INTEGER NOT NULL,
  sha256      TEXT NOT NULL,                    -- names the blob
  PRIMARY KEY (packet_id, part_id)
) STRICT;

CREATE TABLE releases (
  id                  TEXT PRIMARY KEY,
  packet_id           TEXT NOT NULL REFERENCES packets (id),
  requested_by        TEXT NOT NULL REFERENCES members (fingerprint),
  requesting_party    TEXT NOT NULL,
  third_party         TEXT NOT NULL,
  purpose             TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('requested','consented','refused','executed')),
  requested_at        TEXT NOT NULL,
  decision            TEXT,                     -- canonical signed decision
  decision_signature  TEXT,
  decided_by          TEXT REFERENCES members (fingerprint),
  decided_at          TEXT,
  expires_at          TEXT,
  executed_at         TEXT
) STRICT;
CREATE INDEX releases_packet ON releases (packet_id);

-- Extra PKESK packets that make a stored part readable by more keys (a consented release, a
-- newly cleared member). Served in front of the part to members of `party`.
CREATE TABLE wraps (
  id          INTEGER PRIMARY KEY,
  packet_id   TEXT NOT NULL,
  part_id     TEXT NOT NULL,
  party       TEXT NOT NULL,
  pkesk       BLOB NOT NULL,
  release_id  TEXT REFERENCES releases (id),
  created_at  TEXT NOT NULL,
  FOREIGN KEY (packet_id, part_id) REFERENCES parts (packet_id, part_id)
) STRICT;
CREATE INDEX wraps_part ON wraps (packet_id, part_id, party);

-- Append-only, hash-chained record of every security decision.
CREATE TABLE audit_events (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  party      TEXT NOT NULL,
  action     TEXT NOT NULL,
  object     TEXT NOT NULL,
  outcome    TEXT NOT NULL CHECK (outcome IN ('allow','deny')),
  detail     TEXT NOT NULL,                     -- canonical JSON; control characters escaped
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
