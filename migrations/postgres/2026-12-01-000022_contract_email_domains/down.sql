ALTER TABLE conventions DROP COLUMN email_domains;
