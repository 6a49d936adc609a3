ALTER TABLE conventions DROP CONSTRAINT conventions_number_in_caf;
ALTER TABLE conventions ADD CONSTRAINT conventions_number_key UNIQUE (number);
