-- INSERT OR REPLACE deletes the conflicting row without firing DELETE triggers (unless a
-- connection turns recursive_triggers on, which the hub does but another connection may not).
-- These guards refuse any insert onto an existing key, so append-only tables stay append-only
-- whatever connection writes to them.
CREATE TRIGGER audit_events_append_only BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TRIGGER receipts_append_only BEFORE INSERT ON receipts
WHEN EXISTS (SELECT 1 FROM receipts WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;

CREATE TRIGGER checkpoints_append_only BEFORE INSERT ON checkpoints
WHEN EXISTS (SELECT 1 FROM checkpoints WHERE size = NEW.size)
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
