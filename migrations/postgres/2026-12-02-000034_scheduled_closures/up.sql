-- A removal of access approved ahead of its date ("à compter du", annex 3): the first day the
-- account no longer opens, the removal's reason, and who decided it, for the job that closes it
-- that day.
ALTER TABLE accounts ADD COLUMN closes_on DATE;
ALTER TABLE accounts ADD COLUMN closure_reason TEXT;
ALTER TABLE accounts ADD COLUMN closure_decided_by TEXT;
