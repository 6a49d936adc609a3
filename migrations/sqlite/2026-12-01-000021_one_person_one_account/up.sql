-- One person, one account per partner (C-art. 9.2): the mailbox an address reaches, case
-- folded and without its "+tag" (persistence computes it with mcp_domain::person::email_key),
-- is unique among a partner's accounts that are not closed.
ALTER TABLE accounts ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE accounts SET email_key = CASE
    WHEN instr(substr(lower(trim(email)), 1, instr(lower(trim(email)), '@') - 1), '+') > 0
    THEN substr(lower(trim(email)), 1, instr(lower(trim(email)), '+') - 1)
         || substr(lower(trim(email)), instr(lower(trim(email)), '@'))
    ELSE lower(trim(email))
END;
CREATE UNIQUE INDEX accounts_one_per_person_in_partner ON accounts (partner_id, email_key)
    WHERE partner_id IS NOT NULL AND status <> 'disabled';
