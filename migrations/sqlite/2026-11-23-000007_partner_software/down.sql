DROP INDEX traces_client;
ALTER TABLE traces DROP COLUMN client_id;
ALTER TABLE sessions DROP COLUMN scope;
ALTER TABLE sessions DROP COLUMN client_id;
DROP TABLE authorization_codes;
DROP TABLE client_applications;
