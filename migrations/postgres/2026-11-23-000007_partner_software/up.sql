-- Partner software (OAuth 2.0 clients) acts only for a person: sessions and traces name the
-- software beside the person; authorization codes bind a login to a client and a PKCE challenge.
CREATE TABLE client_applications (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    password_grant BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX client_applications_partner ON client_applications (partner_id);

CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES client_applications(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

ALTER TABLE sessions ADD COLUMN client_id TEXT REFERENCES client_applications(id);
ALTER TABLE sessions ADD COLUMN scope TEXT;
ALTER TABLE traces ADD COLUMN client_id TEXT;
CREATE INDEX traces_client ON traces (client_id);
