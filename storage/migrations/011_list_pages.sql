-- Every list is a page: the lists that were still read whole get the index their
-- keyset page reads, and a party's view of the audit log gets the two tables it pages over.
--
-- Party lists, oldest first. Members: (enrolled_at, fingerprint); without `include=revoked` the
-- partial index holds only the keys that can still act, so a party of many revoked keys costs
-- nothing. Rotations and contacts page on their INTEGER PRIMARY KEY (insertion order).
CREATE INDEX members_party_order ON members (party, enrolled_at, fingerprint);
CREATE INDEX members_party_active ON members (party, enrolled_at, fingerprint) WHERE revoked_at IS NULL;
CREATE INDEX officer_rotations_party ON officer_rotations (party, id);
-- contacts_party (party) already ends in the rowid (= id): it is the keyset (party, id).
--
-- Lists about one packet, oldest first. receipts_packet (packet_id, created_at) already ends in
-- the rowid: the keyset is (created_at, rowid), the order the list always had.
CREATE INDEX releases_packet_order ON releases (packet_id, requested_at, id);
CREATE INDEX authenticity_requests_packet_order ON authenticity_requests (packet_id, requested_at, id);

-- A party's view of the audit log. audit_objects: every id an event names (protocol/evidence.ts:
-- idsNamedBy), and the packet a named release or authenticity request is about. audit_access:
-- the parties that may be shown an event: its own party when it names nothing; otherwise every
-- party that can look at a packet it names (packet_access) or that is party to an oral request it
-- names. A party that gains access to a packet later (recipients at submission, a third party
-- at execution of a release) gains the rows of the packet's earlier events by the trigger below,
-- in the same transaction. These tables only say where a party may look: the hub still applies
-- the visibility rule of every object an event names to every event it shows
-- (server/evidence.ts), as before. Written by the append (storage/sqlite/audit.ts); events
-- stored before this migration are indexed once at start (SqliteAudit.indexBacklog).
CREATE TABLE audit_objects (
  object_id  TEXT NOT NULL,
  seq        INTEGER NOT NULL,                 -- no foreign key: a derived index, never a guard of the log
  PRIMARY KEY (object_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE audit_access (
  party  TEXT NOT NULL,
  seq    INTEGER NOT NULL,
  PRIMARY KEY (party, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER audit_access_on_packet_access AFTER INSERT ON packet_access
BEGIN
  INSERT OR IGNORE INTO audit_access (party, seq) SELECT NEW.party, seq FROM audit_objects WHERE object_id = NEW.packet_id;
END;
-- The parties that can look at a named packet, read at every append.
CREATE INDEX packet_access_packet ON packet_access (packet_id);

-- The interior of the log's RFC 9162 Merkle tree: the hash of every complete, aligned subtree of
-- 2^level leaves (level >= 1; a leaf is the hash of its event), written as events are appended.
-- An inclusion or consistency proof, or the root of any size, is then O(log^2 n) reads, not a
-- read of the log. Append-only like the log.
CREATE TABLE audit_tree (
  level  INTEGER NOT NULL CHECK (level >= 1),
  idx    INTEGER NOT NULL,
  hash   BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
