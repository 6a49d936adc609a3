-- Each Caf numbers its own conventions ("24/2025" may exist in two Cafs): a number is unique
-- within its Caf, not nationally.
ALTER TABLE conventions DROP CONSTRAINT conventions_number_key;
ALTER TABLE conventions ADD CONSTRAINT conventions_number_in_caf UNIQUE (caf_id, number);
