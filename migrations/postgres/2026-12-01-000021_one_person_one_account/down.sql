DROP INDEX accounts_one_per_person_in_partner;
ALTER TABLE accounts DROP COLUMN email_key;
