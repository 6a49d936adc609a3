-- Delegated management (DOMAIN.md §4): delegations of the partner's administrators to delegated
-- managers, groups of people, role bundles, and habilitations — holder (a person or a group) ×
-- profile of a subscribed service × the convention mission it serves. Habilitations are never
-- deleted: devalidated ones are kept six years (S-art. 5.3.2).
CREATE TABLE delegations (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    functions TEXT NOT NULL,
    profile_ids TEXT NOT NULL,
    granted_by TEXT NOT NULL REFERENCES accounts(id),
    granted_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT REFERENCES accounts(id),
    withdrawn_reason TEXT
);
CREATE UNIQUE INDEX delegations_one_in_force ON delegations (account_id) WHERE withdrawn_at IS NULL;
CREATE INDEX delegations_partner ON delegations (partner_id);

CREATE TABLE partner_groups (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX partner_groups_name ON partner_groups (partner_id, name);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES partner_groups(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    added_at TIMESTAMP NOT NULL,
    added_by TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_account ON group_members (account_id);

CREATE TABLE role_bundles (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    profile_ids TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX role_bundles_name ON role_bundles (partner_id, name);

CREATE TABLE habilitations (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    mission_id TEXT NOT NULL REFERENCES convention_missions(id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    holder_kind TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    status TEXT NOT NULL,
    ends_on DATE,
    granted_by TEXT NOT NULL REFERENCES accounts(id),
    granted_at TIMESTAMP NOT NULL,
    suspended_by_caf BOOLEAN NOT NULL,
    status_reason TEXT,
    status_changed_at TIMESTAMP,
    devalidated_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
-- One live habilitation per holder and profile: a second grant is a conflict, not a copy.
CREATE UNIQUE INDEX habilitations_one_live ON habilitations (holder_kind, holder_id, profile_id) WHERE status <> 'devalidated';
CREATE INDEX habilitations_partner ON habilitations (partner_id, status);
CREATE INDEX habilitations_seat ON habilitations (subscription_id, profile_id, status);
CREATE INDEX habilitations_ends ON habilitations (ends_on);

CREATE TABLE habilitation_questions (
    id TEXT PRIMARY KEY NOT NULL,
    habilitation_id TEXT NOT NULL REFERENCES habilitations(id),
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    question TEXT NOT NULL,
    asked_by TEXT NOT NULL REFERENCES accounts(id),
    asked_at TIMESTAMP NOT NULL,
    answer TEXT,
    answered_by TEXT REFERENCES accounts(id),
    answered_at TIMESTAMP
);
CREATE INDEX habilitation_questions_habilitation ON habilitation_questions (habilitation_id);
CREATE INDEX habilitation_questions_partner ON habilitation_questions (partner_id, answered_at);
