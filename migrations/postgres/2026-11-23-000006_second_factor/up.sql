-- A TOTP second factor per account: pending until a first code confirms it; the last time step
-- used is kept so that a code works once.
CREATE TABLE account_totp (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id),
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_used_step BIGINT,
    created_at TIMESTAMP NOT NULL
);
