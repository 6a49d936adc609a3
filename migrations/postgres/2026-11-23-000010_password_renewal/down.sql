ALTER TABLE accounts DROP COLUMN must_change_password;
ALTER TABLE accounts DROP COLUMN password_changed_at;
