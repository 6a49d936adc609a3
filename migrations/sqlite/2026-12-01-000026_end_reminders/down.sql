ALTER TABLE habilitations DROP COLUMN end_reminded_at;
