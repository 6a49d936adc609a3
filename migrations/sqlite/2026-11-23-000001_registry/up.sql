-- The registry: Cafs, accounts, partners, conventions and their life, contracts, the service
-- catalogue, subscriptions with their quotas, amendments, traces and the outbox.
-- Identifiers are UUIDs stored as text; times are UTC timestamps; dates are ISO dates.

CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE cafs (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    director_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE partners (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    siret TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    representative_name TEXT NOT NULL,
    representative_title TEXT,
    category TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT partners_caf_siret_unique UNIQUE (caf_id, siret)
);
CREATE INDEX partners_siret ON partners (siret);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    identifier TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    caf_id TEXT REFERENCES cafs(id),
    partner_id TEXT REFERENCES partners(id),
    full_name TEXT NOT NULL,
    function_title TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    status TEXT NOT NULL,
    password_hash TEXT,
    activation_secret_hash TEXT,
    activation_expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX accounts_caf ON accounts (caf_id);

CREATE TABLE conventions (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    number TEXT NOT NULL UNIQUE,
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
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX conventions_partner ON conventions (partner_id);
CREATE INDEX conventions_caf ON conventions (caf_id);

CREATE TABLE convention_missions (
    id TEXT PRIMARY KEY NOT NULL,
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    withdrawn_in_version INTEGER,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX convention_missions_convention ON convention_missions (convention_id);

CREATE TABLE amendments (
    id TEXT PRIMARY KEY NOT NULL,
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    number INTEGER NOT NULL,
    subject TEXT NOT NULL,
    summary TEXT NOT NULL,
    caf_signed_on DATE NOT NULL,
    partner_signed_on DATE NOT NULL,
    previous_version TEXT NOT NULL,
    new_version TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT amendments_number_unique UNIQUE (convention_id, number)
);

CREATE TABLE services (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE profiles (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES services(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    eligible_categories TEXT NOT NULL,
    restriction TEXT,
    position INTEGER NOT NULL,
    CONSTRAINT profiles_service_code_unique UNIQUE (service_id, code)
);

CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    made_available_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT subscriptions_convention_service_unique UNIQUE (convention_id, service_id)
);

CREATE TABLE subscription_quotas (
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    max_users INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, profile_id)
);

CREATE TABLE traces (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    request_id TEXT,
    actor_account_id TEXT,
    actor_role TEXT,
    organisation_kind TEXT,
    organisation_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    caf_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX traces_target ON traces (target_id);
CREATE INDEX traces_actor ON traces (actor_account_id);
CREATE INDEX traces_occurred ON traces (occurred_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
