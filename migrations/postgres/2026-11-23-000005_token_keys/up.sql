-- Access tokens are signed with Ed25519 keys that rotate; their public halves are published as a
-- JWKS. The shared HMAC secret of the first version is dropped: tokens signed with it stop working.
DROP TABLE signing_keys;
CREATE TABLE token_keys (
    id TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
