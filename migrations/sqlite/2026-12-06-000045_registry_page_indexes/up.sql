-- Pages of a Caf's partners and of a partner's or a Caf's staff are read in id order after a
-- cursor: an index that starts with the owner and goes on with the id serves each page without
-- sorting all the owner's rows, however many there are.
CREATE INDEX partners_caf ON partners (caf_id, id);
DROP INDEX accounts_partner;
CREATE INDEX accounts_partner ON accounts (partner_id, id);
DROP INDEX accounts_caf;
CREATE INDEX accounts_caf ON accounts (caf_id, id);
