-- Security incidents a partner reports to the Caf (convention, art. 9.2), followed by both sides
-- until the Caf closes them.
CREATE TABLE security_incidents (
    id TEXT PRIMARY KEY NOT NULL,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    nature TEXT NOT NULL,
    description TEXT NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    -- The partner's accounts whose access may be endangered, a JSON array of ids.
    accounts_concerned TEXT NOT NULL DEFAULT '[]',
    reported_by TEXT NOT NULL REFERENCES accounts(id),
    reported_at TIMESTAMP NOT NULL,
    -- The measures both sides recorded, a JSON array of {at, by, side, text}.
    measures TEXT NOT NULL DEFAULT '[]',
    closed_by TEXT REFERENCES accounts(id),
    closed_at TIMESTAMP,
    closure_summary TEXT
);
CREATE INDEX security_incidents_by_partner ON security_incidents (partner_id, id);
CREATE INDEX security_incidents_by_caf ON security_incidents (caf_id, id);
