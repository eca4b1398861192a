-- Who can open each part, so that a security officer can see which members wait for a rewrap
--: one row per (part, encryption key ID) the part opens for. Written in the
-- transaction that stores the part (its recipients' PKESKs, which the hub checked to be exactly
-- the cleared members) and in the one that stores a wrap (a rewrap for a colleague, a release to
-- a third party). Packets stored before this table have no rows: the hub cannot tell who waits
-- for them, and the listing leaves them out (docs/cli.md says so).
CREATE TABLE part_readers (
  packet_id  TEXT NOT NULL,
  part_id    TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  PRIMARY KEY (packet_id, part_id, key_id),
  FOREIGN KEY (packet_id, part_id) REFERENCES parts (packet_id, part_id)
) STRICT, WITHOUT ROWID;
