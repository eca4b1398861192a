-- Each packet's recipient parties, kept in its row as one JSON array sorted by party: every page of
-- a listing and every read of a packet returned the list by a correlated subquery over
-- packet_recipients per row (a third of the page query). packet_recipients stays the table of
-- record (the access triggers of 007 read it, and so do the visibility tests); the column is a
-- copy kept by the triggers below, in the same statement as the change it follows, so whatever
-- writes a recipient (the hub, the seeding of the bench, an operator's connection) keeps it true.
-- The order is SQLite's BINARY order of the party codes, the primary-key order the subquery gave.
ALTER TABLE packets ADD COLUMN recipients TEXT NOT NULL DEFAULT '[]';

UPDATE packets SET recipients = (SELECT json_group_array(party ORDER BY party) FROM packet_recipients WHERE packet_id = packets.id)
  WHERE EXISTS (SELECT 1 FROM packet_recipients WHERE packet_id = packets.id);

CREATE TRIGGER packets_recipients_on_insert AFTER INSERT ON packet_recipients
BEGIN
  UPDATE packets SET recipients = (SELECT json_group_array(party ORDER BY party) FROM packet_recipients WHERE packet_id = NEW.packet_id)
    WHERE id = NEW.packet_id;
END;

CREATE TRIGGER packets_recipients_on_delete AFTER DELETE ON packet_recipients
BEGIN
  UPDATE packets SET recipients = (SELECT json_group_array(party ORDER BY party) FROM packet_recipients WHERE packet_id = OLD.packet_id)
    WHERE id = OLD.packet_id;
END;

CREATE TRIGGER packets_recipients_on_update AFTER UPDATE ON packet_recipients
BEGIN
  UPDATE packets SET recipients = (SELECT json_group_array(party ORDER BY party) FROM packet_recipients WHERE packet_id = OLD.packet_id)
    WHERE id = OLD.packet_id;
  UPDATE packets SET recipients = (SELECT json_group_array(party ORDER BY party) FROM packet_recipients WHERE packet_id = NEW.packet_id)
    WHERE id = NEW.packet_id;
END;
