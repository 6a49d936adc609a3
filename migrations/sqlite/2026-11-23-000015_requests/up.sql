-- Requests a partner sends the Caf (annex-3 forms): habilitate a person, remove access, change
-- an administrator. The form is kept as sent; a habilitation request names the subscription and
-- profile whose quota it reserves while awaiting the Caf.
CREATE TABLE habilitation_requests (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    form TEXT NOT NULL,
    subscription_id TEXT REFERENCES subscriptions(id),
    profile_id TEXT REFERENCES profiles(id),
    filed_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    decided_by TEXT REFERENCES accounts(id),
    decided_at TIMESTAMP,
    reason TEXT,
    result TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX habilitation_requests_caf ON habilitation_requests (caf_id, status);
CREATE INDEX habilitation_requests_partner ON habilitation_requests (partner_id, status);
CREATE INDEX habilitation_requests_seat ON habilitation_requests (subscription_id, profile_id, status);
