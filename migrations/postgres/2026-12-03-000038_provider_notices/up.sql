-- Notices of service providers (convention, art. 14): the partner tells the Caf of the
-- providers it means to use; the Caf records the day it received the notice (providers start
-- six months later at the earliest) and its observations.
CREATE TABLE provider_notices (
    id TEXT PRIMARY KEY NOT NULL,
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    -- The providers with the five items of the article, a JSON array.
    providers TEXT NOT NULL,
    safeguards TEXT,
    filed_by TEXT NOT NULL REFERENCES accounts(id),
    filed_at TIMESTAMP NOT NULL,
    received_on DATE,
    earliest_start_on DATE,
    receipt_recorded_by TEXT REFERENCES accounts(id),
    -- The Caf's observations, a JSON array of {at, by, text}.
    observations TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX provider_notices_by_convention ON provider_notices (convention_id, id);
