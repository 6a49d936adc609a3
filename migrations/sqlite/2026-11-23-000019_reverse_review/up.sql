-- Reverse review (revue inverse, S-art. 2.2.2) and annual review (bilan, C-art. 16).

-- The last CDAP consultation served through a habilitation; null: never used.
ALTER TABLE habilitations ADD COLUMN last_used_at TIMESTAMP;

-- Consultations served per partner, profile, mission and month ('YYYY-MM'): the figures of the
-- annual review outlive the six months traces are kept.
CREATE TABLE consultation_counts (
    partner_id TEXT NOT NULL REFERENCES partners(id),
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    mission_id TEXT NOT NULL REFERENCES convention_missions(id),
    month TEXT NOT NULL,
    consultations BIGINT NOT NULL,
    PRIMARY KEY (partner_id, profile_id, mission_id, month)
);

-- The Caf's precautionary suspensions (S-art. 2.2.1), kept for the annual review: the
-- habilitation's own row only says whether it is suspended by the Caf now.
CREATE TABLE caf_suspensions (
    id TEXT PRIMARY KEY NOT NULL,
    habilitation_id TEXT NOT NULL REFERENCES habilitations(id),
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    reason TEXT NOT NULL,
    suspended_by TEXT REFERENCES accounts(id),
    suspended_at TIMESTAMP NOT NULL,
    lifted_by TEXT REFERENCES accounts(id),
    lifted_at TIMESTAMP,
    lift_reason TEXT
);
CREATE INDEX caf_suspensions_partner ON caf_suspensions (partner_id, suspended_at);
CREATE INDEX caf_suspensions_habilitation ON caf_suspensions (habilitation_id);
-- Suspensions in force before this table: who decided them is in the traces only.
INSERT INTO caf_suspensions (id, habilitation_id, caf_id, partner_id, reason, suspended_by, suspended_at)
    SELECT id, id, caf_id, partner_id, COALESCE(status_reason, ''), NULL, COALESCE(status_changed_at, updated_at)
    FROM habilitations WHERE suspended_by_caf AND status = 'suspended';

-- One campaign per partner and year; its items are the habilitations in force at opening.
CREATE TABLE review_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    opened_by TEXT REFERENCES accounts(id),
    due_on DATE NOT NULL,
    overdue_notified_at TIMESTAMP,
    completed_at TIMESTAMP,
    completed_by TEXT REFERENCES accounts(id),
    report TEXT,
    report_digest TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX review_campaigns_partner_year ON review_campaigns (partner_id, year);
CREATE INDEX review_campaigns_caf ON review_campaigns (caf_id, year);
CREATE INDEX review_campaigns_due ON review_campaigns (status, due_on);

CREATE TABLE review_items (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES review_campaigns(id),
    habilitation_id TEXT NOT NULL REFERENCES habilitations(id),
    holder_kind TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    profile_code TEXT NOT NULL,
    mission_id TEXT NOT NULL REFERENCES convention_missions(id),
    mission_label TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    ends_on DATE,
    status_at_opening TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by TEXT REFERENCES accounts(id),
    decided_at TIMESTAMP,
    reason TEXT
);
CREATE UNIQUE INDEX review_items_habilitation ON review_items (campaign_id, habilitation_id);
