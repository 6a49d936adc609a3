-- A forgotten password is reset with a one-time code sent to the person; only its hash is kept.
ALTER TABLE accounts ADD COLUMN reset_secret_hash TEXT;
ALTER TABLE accounts ADD COLUMN reset_expires_at TIMESTAMP;
