DROP INDEX accounts_caf;
CREATE INDEX accounts_caf ON accounts (caf_id);
DROP INDEX accounts_partner;
CREATE INDEX accounts_partner ON accounts (partner_id);
DROP INDEX partners_caf;
