ALTER TABLE accounts DROP COLUMN must_enrol_second_factor;
ALTER TABLE conventions DROP COLUMN second_factor_required;
