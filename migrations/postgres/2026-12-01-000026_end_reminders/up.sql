-- When the holder and their manager were told that a temporary habilitation is about to end.
ALTER TABLE habilitations ADD COLUMN end_reminded_at TIMESTAMP;
