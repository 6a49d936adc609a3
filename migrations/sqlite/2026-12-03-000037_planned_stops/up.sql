-- Planned stops (contrat de services, art. 3.1 and 4): national maintenance declared by the
-- Cnaf (caf_id NULL) or operations of one Caf; the partners concerned are told when declared.
CREATE TABLE planned_stops (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT REFERENCES cafs(id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    -- The catalogue codes of the services stopped, a JSON array; empty for the whole service.
    services TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL,
    declared_by TEXT NOT NULL REFERENCES accounts(id),
    declared_at TIMESTAMP NOT NULL,
    cancelled_by TEXT REFERENCES accounts(id),
    cancelled_at TIMESTAMP,
    cancellation_reason TEXT,
    CHECK (ends_at > starts_at)
);
-- Stops to come and under way are read by their end.
CREATE INDEX planned_stops_by_end ON planned_stops (ends_at);
