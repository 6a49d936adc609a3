-- Each Caf numbers its own conventions ("24/2025" may exist in two Cafs): a number is unique
-- within its Caf, not nationally. SQLite cannot drop a column's UNIQUE, so the table is
-- rebuilt as SQLite's documentation says (ALTER TABLE, "other kinds of table schema changes"):
-- foreign keys off — which SQLite allows only outside a transaction, hence metadata.toml —
-- then, in one transaction, the new table filled, the old dropped, the new renamed; foreign
-- keys on again (the rows and their references are those of before, unchanged).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE conventions_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    number TEXT NOT NULL,
    caf_signatory TEXT NOT NULL,
    partner_signatory TEXT NOT NULL,
    version INTEGER NOT NULL,
    partner_signed_on DATE,
    caf_signed_on DATE,
    rgpd_completed_on DATE,
    termination_kind TEXT,
    termination_initiated_by TEXT,
    termination_received_on DATE,
    termination_requested_on DATE,
    termination_effective_on DATE,
    termination_reason TEXT,
    management_mode TEXT NOT NULL,
    password_policy TEXT NOT NULL,
    contacts TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    second_factor_required BOOLEAN NOT NULL DEFAULT FALSE,
    email_domains TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT conventions_number_in_caf UNIQUE (caf_id, number)
);
INSERT INTO conventions_rebuilt (id, caf_id, partner_id, number, caf_signatory, partner_signatory,
    version, partner_signed_on, caf_signed_on, rgpd_completed_on, termination_kind,
    termination_initiated_by, termination_received_on, termination_requested_on,
    termination_effective_on, termination_reason, management_mode, password_policy, contacts,
    created_at, updated_at, second_factor_required, email_domains)
SELECT id, caf_id, partner_id, number, caf_signatory, partner_signatory,
    version, partner_signed_on, caf_signed_on, rgpd_completed_on, termination_kind,
    termination_initiated_by, termination_received_on, termination_requested_on,
    termination_effective_on, termination_reason, management_mode, password_policy, contacts,
    created_at, updated_at, second_factor_required, email_domains
FROM conventions;
DROP TABLE conventions;
ALTER TABLE conventions_rebuilt RENAME TO conventions;
CREATE INDEX conventions_partner ON conventions (partner_id);
CREATE INDEX conventions_caf ON conventions (caf_id);
COMMIT;
PRAGMA foreign_keys = ON;
