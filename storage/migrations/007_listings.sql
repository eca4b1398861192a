-- Listings at scale: every list is a page read from an index, never a scan of all rows.
--
-- packet_access holds one row per (party, packet) the party can list, in the folder it lists it
-- under: 'drafts' and 'sent' for the sending party, 'inbox' for recipients (once submitted) and
-- for third parties (once a release is executed). Triggers keep it in step with packets,
-- packet_recipients and releases, so no repository method has to remember it, and the rows are
-- written in the same transaction as the change they follow. Visibility rules are unchanged:
-- clearance and standing are still checked by the hub on every read; this table only says where
-- a party may look.
CREATE TABLE packet_access (
  party       TEXT NOT NULL,
  packet_id   TEXT NOT NULL REFERENCES packets (id),
  folder      TEXT NOT NULL CHECK (folder IN ('drafts','sent','inbox')),
  relation    TEXT NOT NULL CHECK (relation IN ('sent','received','released')),
  created_at  TEXT NOT NULL,                    -- the packet's, copied: the sort key of every listing
  PRIMARY KEY (party, packet_id)
) STRICT;
-- Newest first, ties broken by id: the keyset (created_at, packet_id) is unique and stable.
CREATE INDEX packet_access_all ON packet_access (party, created_at DESC, packet_id DESC);
CREATE INDEX packet_access_folder ON packet_access (party, folder, created_at DESC, packet_id DESC);

INSERT INTO packet_access (party, packet_id, folder, relation, created_at)
  SELECT sender_party, id, CASE state WHEN 'draft' THEN 'drafts' ELSE 'sent' END, 'sent', created_at FROM packets;
INSERT OR IGNORE INTO packet_access (party, packet_id, folder, relation, created_at)
  SELECT r.party, p.id, 'inbox', 'received', p.created_at FROM packets p JOIN packet_recipients r ON r.packet_id = p.id
  WHERE p.state = 'submitted' AND r.party <> p.sender_party;
INSERT OR IGNORE INTO packet_access (party, packet_id, folder, relation, created_at)
  SELECT l.third_party, p.id, 'inbox', 'released', p.created_at FROM packets p JOIN releases l ON l.packet_id = p.id
  WHERE l.state = 'executed';

CREATE TRIGGER packet_access_on_insert AFTER INSERT ON packets
BEGIN
  INSERT INTO packet_access (party, packet_id, folder, relation, created_at)
  VALUES (NEW.sender_party, NEW.id, CASE NEW.state WHEN 'draft' THEN 'drafts' ELSE 'sent' END, 'sent', NEW.created_at);
END;

CREATE TRIGGER packet_access_on_submit AFTER UPDATE OF state ON packets
WHEN NEW.state = 'submitted' AND OLD.state <> 'submitted'
BEGIN
  UPDATE packet_access SET folder = 'sent' WHERE party = NEW.sender_party AND packet_id = NEW.id;
  INSERT OR IGNORE INTO packet_access (party, packet_id, folder, relation, created_at)
    SELECT party, NEW.id, 'inbox', 'received', NEW.created_at FROM packet_recipients
    WHERE packet_id = NEW.id AND party <> NEW.sender_party;
END;

-- A recipient recorded after the packet is already submitted (whatever order a writer uses).
CREATE TRIGGER packet_access_on_recipient AFTER INSERT ON packet_recipients
BEGIN
  INSERT OR IGNORE INTO packet_access (party, packet_id, folder, relation, created_at)
    SELECT NEW.party, id, 'inbox', 'received', created_at FROM packets
    WHERE id = NEW.packet_id AND state = 'submitted' AND sender_party <> NEW.party;
END;

CREATE TRIGGER packet_access_on_release AFTER UPDATE OF state ON releases
WHEN NEW.state = 'executed' AND OLD.state <> 'executed'
BEGIN
  INSERT OR IGNORE INTO packet_access (party, packet_id, folder, relation, created_at)
    SELECT NEW.third_party, id, 'inbox', 'released', created_at FROM packets WHERE id = NEW.packet_id;
END;

-- Releases a party lists (as the packet's originator, as the requester, or as the third party once executed).
CREATE TABLE release_access (
  party         TEXT NOT NULL,
  release_id    TEXT NOT NULL REFERENCES releases (id),
  requested_at  TEXT NOT NULL,
  PRIMARY KEY (party, release_id)
) STRICT;
CREATE INDEX release_access_order ON release_access (party, requested_at DESC, release_id DESC);
INSERT OR IGNORE INTO release_access (party, release_id, requested_at) SELECT requesting_party, id, requested_at FROM releases;
INSERT OR IGNORE INTO release_access (party, release_id, requested_at)
  SELECT p.sender_party, l.id, l.requested_at FROM releases l JOIN packets p ON p.id = l.packet_id;
CREATE TRIGGER release_access_on_insert AFTER INSERT ON releases
BEGIN
  INSERT OR IGNORE INTO release_access (party, release_id, requested_at) VALUES (NEW.requesting_party, NEW.id, NEW.requested_at);
  INSERT OR IGNORE INTO release_access (party, release_id, requested_at)
    SELECT sender_party, NEW.id, NEW.requested_at FROM packets WHERE id = NEW.packet_id;
END;
-- The third party lists a release once it is executed: it carries the conditions the packet came under.
INSERT OR IGNORE INTO release_access (party, release_id, requested_at) SELECT third_party, id, requested_at FROM releases WHERE state = 'executed';
CREATE TRIGGER release_access_on_execute AFTER UPDATE OF state ON releases
WHEN NEW.state = 'executed' AND OLD.state <> 'executed'
BEGIN
  INSERT OR IGNORE INTO release_access (party, release_id, requested_at) VALUES (NEW.third_party, NEW.id, NEW.requested_at);
END;
-- Oral requests a party made or received, the same way.
CREATE TABLE oral_access (
  party     TEXT NOT NULL,
  oral_id   TEXT NOT NULL REFERENCES oral_requests (id),
  made_at   TEXT NOT NULL,
  PRIMARY KEY (party, oral_id)
) STRICT;
CREATE INDEX oral_access_order ON oral_access (party, made_at DESC, oral_id DESC);
INSERT OR IGNORE INTO oral_access (party, oral_id, made_at) SELECT requesting_party, id, made_at FROM oral_requests;
INSERT OR IGNORE INTO oral_access (party, oral_id, made_at) SELECT requested_party, id, made_at FROM oral_requests;
CREATE TRIGGER oral_access_on_insert AFTER INSERT ON oral_requests
BEGIN
  INSERT OR IGNORE INTO oral_access (party, oral_id, made_at) VALUES (NEW.requesting_party, NEW.id, NEW.made_at);
  INSERT OR IGNORE INTO oral_access (party, oral_id, made_at) VALUES (NEW.requested_party, NEW.id, NEW.made_at);
END;

-- The latest event first: every append reads it.
-- (audit_events.seq is the INTEGER PRIMARY KEY: already the rowid, nothing to add.)
-- Sessions and challenges are purged by expiry.
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX challenges_expires ON challenges (expires_at);
CREATE INDEX sessions_fingerprint ON sessions (fingerprint);
