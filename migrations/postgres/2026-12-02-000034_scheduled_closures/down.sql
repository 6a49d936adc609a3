ALTER TABLE accounts DROP COLUMN closure_decided_by;
ALTER TABLE accounts DROP COLUMN closure_reason;
ALTER TABLE accounts DROP COLUMN closes_on;
