ALTER TABLE accounts DROP COLUMN reset_expires_at;
ALTER TABLE accounts DROP COLUMN reset_secret_hash;
