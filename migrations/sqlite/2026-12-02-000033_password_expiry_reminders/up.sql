-- When the person was last told that their password is about to expire (once per password: a
-- reminder older than the password's last change is for an earlier one).
ALTER TABLE accounts ADD COLUMN password_expiry_reminded_at TIMESTAMP;
