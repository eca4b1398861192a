-- Officer-signed trust chain. A member row carries the statement that vouches for it;
-- the first officer of each party is enrolled by the operator and pinned by clients out of band.
ALTER TABLE members ADD COLUMN statement TEXT;             -- canonical membership statement
ALTER TABLE members ADD COLUMN statement_signature TEXT;   -- by an officer of the party
ALTER TABLE members ADD COLUMN valid_until TEXT;           -- from the statement, if any
ALTER TABLE members ADD COLUMN key_expires_at TEXT;        -- from the key itself, if any
ALTER TABLE members ADD COLUMN revocation TEXT;            -- canonical revocation statement
ALTER TABLE members ADD COLUMN revocation_signature TEXT;

-- Every statement ever accepted, so a superseded one can be shown and nothing is silently lost.
CREATE TABLE member_statements (
  id          INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL REFERENCES members (fingerprint),
  statement   TEXT NOT NULL,
  signature   TEXT NOT NULL,
  accepted_at TEXT NOT NULL
) STRICT;

CREATE TABLE officer_rotations (
  id             INTEGER PRIMARY KEY,
  party          TEXT NOT NULL,
  from_fpr       TEXT NOT NULL,
  to_fpr         TEXT NOT NULL REFERENCES members (fingerprint),
  statement      TEXT NOT NULL,
  signature_from TEXT NOT NULL,
  signature_to   TEXT NOT NULL,
  recorded_at    TEXT NOT NULL
) STRICT;

CREATE TABLE contacts (
  id          INTEGER PRIMARY KEY,
  party       TEXT NOT NULL,
  agreement_id TEXT NOT NULL,
  statement   TEXT NOT NULL,                 -- canonical contact entry, signed by an officer
  signature   TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  late        INTEGER NOT NULL CHECK (late IN (0, 1))
) STRICT;
CREATE INDEX contacts_party ON contacts (party);
