-- Meetings on a convention (convention, art. 16): the yearly review held as a meeting, or a
-- meeting asked for by one party (held within one month); minutes drafted by each party in
-- turn and validated by both within 30 days.
CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    kind TEXT NOT NULL,
    requested_by TEXT,
    requested_on DATE,
    due_by DATE,
    planned_on DATE NOT NULL,
    planned_by TEXT NOT NULL REFERENCES accounts(id),
    held_on DATE,
    -- Who attended, a JSON array of {name, function_title, represents}.
    attendees TEXT NOT NULL DEFAULT '[]',
    cnaf_attended BOOLEAN NOT NULL DEFAULT 0,
    held_late BOOLEAN NOT NULL DEFAULT 0,
    drafter TEXT,
    minutes_due_by DATE,
    minutes TEXT,
    minutes_written_at TIMESTAMP,
    validated_by_caf_at TIMESTAMP,
    validated_by_partner_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_by_convention ON meetings (convention_id, id);
