DROP TABLE token_keys;
CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
