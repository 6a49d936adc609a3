ALTER TABLE authorization_codes DROP COLUMN session_id;
