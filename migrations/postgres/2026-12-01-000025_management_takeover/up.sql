-- The Caf takes management back (S-art. 2.2.1): a supervision act of its own, no partner
-- signature. While set, the partner is managed as in mode centralisé whatever its contract says.
ALTER TABLE partners ADD COLUMN management_taken_over_at TIMESTAMP;
ALTER TABLE partners ADD COLUMN management_takeover_reason TEXT;
