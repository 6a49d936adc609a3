-- The session an authorization code opened, ended if the code is presented again (RFC 6749 §4.1.2).
ALTER TABLE authorization_codes ADD COLUMN session_id TEXT;
