-- A contract may require its partner's staff to use a second factor; until they enrol one,
-- they can only manage their own account.
ALTER TABLE conventions ADD COLUMN second_factor_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN must_enrol_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
