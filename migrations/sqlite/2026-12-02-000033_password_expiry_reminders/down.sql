ALTER TABLE accounts DROP COLUMN password_expiry_reminded_at;
