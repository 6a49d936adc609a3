DROP INDEX accounts_partner;
ALTER TABLE accounts DROP COLUMN administrator_rank;
