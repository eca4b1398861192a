-- The treaty workflow of requests. Only metadata the hub needs to enforce the workflow:
-- states, parties, times, and the ids of the packets that carry the written reasons. Reasons,
-- purposes and facts are inside those encrypted packets and never here.

-- Every state change of a request at one requested party; the latest row is its state.
-- A request with no row is 'received' since its submission.
CREATE TABLE request_events (
  id              INTEGER PRIMARY KEY,
  packet_id       TEXT NOT NULL REFERENCES packets (id),
  party           TEXT NOT NULL,                  -- the requested party whose state this is
  state           TEXT NOT NULL CHECK (state IN ('received','acknowledged','in-execution','waiting-for-information','executed','refused','deferred','transferred','delay-notified')),
  scope           TEXT CHECK (scope IN ('whole','part')),
  authority       TEXT,                           -- competent authority after a transfer
  related_packet  TEXT REFERENCES packets (id),   -- the refusal, deferral, notice or reply
  actor           TEXT NOT NULL REFERENCES members (fingerprint),
  at              TEXT NOT NULL
) STRICT;
CREATE INDEX request_events_packet ON request_events (packet_id, party);

-- Urgent requests made orally, recorded at once; closed by the written request that confirms them.
CREATE TABLE oral_requests (
  id                TEXT PRIMARY KEY,
  agreement_id      TEXT NOT NULL,
  requesting_party  TEXT NOT NULL,
  requested_party   TEXT NOT NULL,
  made_at           TEXT NOT NULL,
  recorded_at       TEXT NOT NULL,
  recorded_by       TEXT NOT NULL REFERENCES members (fingerprint),
  demanded_at       TEXT,                         -- confirmation demanded (RU-PK Art. 5)
  demanded_by       TEXT REFERENCES members (fingerprint),
  confirmed_by      TEXT REFERENCES packets (id),
  confirmed_at      TEXT
) STRICT;
CREATE INDEX oral_requests_parties ON oral_requests (requesting_party, requested_party);

-- A recipient in doubt asks the sender to confirm a packet (SCO Art. 5(3)); the answer is a
-- canonical statement with the sender's detached signature, verifiable without the hub.
CREATE TABLE authenticity_requests (
  id                      TEXT PRIMARY KEY,
  packet_id               TEXT NOT NULL REFERENCES packets (id),
  requested_by            TEXT NOT NULL REFERENCES members (fingerprint),
  requesting_party        TEXT NOT NULL,
  requested_at            TEXT NOT NULL,
  confirmation            TEXT,
  confirmation_signature  TEXT,
  confirmed_by            TEXT REFERENCES members (fingerprint),
  confirmed_at            TEXT
) STRICT;
CREATE INDEX authenticity_requests_packet ON authenticity_requests (packet_id);

-- Use for another purpose (SCO Art. 7(2)) goes through the release machinery: a release row
-- whose "third party" is the recipient itself; this table marks which releases are such.
CREATE TABLE purpose_changes (
  release_id  TEXT PRIMARY KEY REFERENCES releases (id),
  packet_id   TEXT NOT NULL REFERENCES packets (id),
  party       TEXT NOT NULL
) STRICT;
