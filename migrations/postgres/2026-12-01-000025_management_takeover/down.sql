ALTER TABLE partners DROP COLUMN management_takeover_reason;
ALTER TABLE partners DROP COLUMN management_taken_over_at;
