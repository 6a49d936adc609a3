-- OpenID Connect: the nonce of the authorization request, handed back in the id_token of the
-- code it gave.
ALTER TABLE authorization_codes ADD COLUMN nonce TEXT;
