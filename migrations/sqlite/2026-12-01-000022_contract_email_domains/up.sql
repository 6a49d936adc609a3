-- The e-mail domains of the partner's own mailboxes a service contract may list (JSON array;
-- empty: any address). Accounts of the partner's staff are then created within them.
ALTER TABLE conventions ADD COLUMN email_domains TEXT NOT NULL DEFAULT '[]';
