-- The commitment a partner's staff member accepts before first use (individual request form).
ALTER TABLE accounts ADD COLUMN commitment_version TEXT;
ALTER TABLE accounts ADD COLUMN commitment_accepted_at TIMESTAMP;
