-- When a password was set, and whether its holder must change it before doing anything else
-- (past the contract's maximum age, or required by whoever supervises the account).
ALTER TABLE accounts ADD COLUMN password_changed_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
