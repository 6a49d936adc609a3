ALTER TABLE accounts DROP COLUMN commitment_accepted_at;
ALTER TABLE accounts DROP COLUMN commitment_version;
