-- A partner's administrators are its principal administrator and deputy (S-art. 2.2.2).
ALTER TABLE accounts ADD COLUMN administrator_rank TEXT;
CREATE INDEX accounts_partner ON accounts (partner_id);
