ALTER TABLE cafs DROP COLUMN second_factor_required;
