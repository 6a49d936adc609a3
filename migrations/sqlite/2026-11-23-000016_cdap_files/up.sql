-- CDAP (DOMAIN.md §3): beneficiaries' files as each Caf loads them, and each profile's view —
-- the sections, months and benefits it may see, and its restriction — as catalogue data.
CREATE TABLE beneficiary_files (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    numero TEXT NOT NULL,
    document TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX beneficiary_files_numero ON beneficiary_files (caf_id, numero);
CREATE INDEX beneficiary_files_identity ON beneficiary_files (caf_id, last_name, birth_date);

CREATE TABLE profile_views (
    profile_id TEXT PRIMARY KEY NOT NULL REFERENCES profiles(id),
    sections TEXT NOT NULL,
    months INTEGER NOT NULL,
    benefits TEXT NOT NULL,
    restriction TEXT,
    identity_search BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,professional,resources,quotient_familial,rights', 24, '', NULL FROM profiles WHERE code = 'T1';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,quotient_familial', 12, '', NULL FROM profiles WHERE code = 'T2';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,professional,resources,rights', 24, 'RSA,PPA', 'instructor_number' FROM profiles WHERE code = 'T4';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,professional,rights', 24, 'RSA,PPA', NULL FROM profiles WHERE code = 'T5';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,resources,rights', 24, '', NULL FROM profiles WHERE code = 'T6';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,resources,rights', 24, '', NULL FROM profiles WHERE code = 'T8';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,resources,rights', 24, '', NULL FROM profiles WHERE code = 'T9';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,rights', 24, 'AL', 'own_tenants' FROM profiles WHERE code = 'T10';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,resources,rights', 24, '', NULL FROM profiles WHERE code = 'T11';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,resources', 12, '', NULL FROM profiles WHERE code = 'T12';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,resources,quotient_familial,rights', 12, '', NULL FROM profiles WHERE code = 'T13';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household', 12, '', NULL FROM profiles WHERE code = 'T14';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,quotient_familial,rights', 12, 'RSA', NULL FROM profiles WHERE code = 'T15';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,resources,rights', 12, '', NULL FROM profiles WHERE code = 'T16';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,professional,resources,rights', 24, 'RSA,PPA', 'rsa_last_two_years' FROM profiles WHERE code = 'T18';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,professional,resources,rights', 24, 'RSA,PPA', 'rsa_last_two_years' FROM profiles WHERE code = 'T19';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,professional,rights', 24, '', NULL FROM profiles WHERE code = 'T20';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,household,cmg_requests,rights', 24, 'CMG', 'cmg_request' FROM profiles WHERE code = 'T21';
INSERT INTO profile_views (profile_id, sections, months, benefits, restriction) SELECT id, 'identity,address,household,resources,rights', 12, '', NULL FROM profiles WHERE code = 'T22';
-- Bodies that do not know the numéro allocataire find a file by identity: pensions (CDC, Enim)
-- and frontier funds.
UPDATE profile_views SET identity_search = TRUE WHERE profile_id IN (SELECT id FROM profiles WHERE code IN ('T14', 'T20'));
