-- Devices a person signed in from (OWASP's device cookie): a device token is given at each
-- successful sign-in and kept here as its SHA-256 only. Presented again with the same
-- identifier, it puts the attempt under a counter of its own, so that failures by others on
-- that identifier or from that address never hold the person back.
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    identifier TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX trusted_devices_of_account ON trusted_devices (account_id);
