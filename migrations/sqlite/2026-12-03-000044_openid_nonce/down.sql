ALTER TABLE authorization_codes DROP COLUMN nonce;
