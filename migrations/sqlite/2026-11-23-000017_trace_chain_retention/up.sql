-- Traces: perimeter of the partner, beneficiary file consulted, chain of hashes (tamper
-- evidence), append-only guard, evidence of retention purges, durable habilitation history.

ALTER TABLE traces ADD COLUMN partner_id TEXT;
ALTER TABLE traces ADD COLUMN file_number TEXT;
-- Sealed when the action's transaction commits: position in the chain and hash.
ALTER TABLE traces ADD COLUMN seq BIGINT;
ALTER TABLE traces ADD COLUMN hash TEXT;
UPDATE traces SET partner_id = organisation_id WHERE organisation_kind = 'partner';
CREATE UNIQUE INDEX traces_seq ON traces (seq);
CREATE INDEX traces_unsealed ON traces (id) WHERE seq IS NULL;
CREATE INDEX traces_partner ON traces (partner_id, id);
CREATE INDEX traces_caf ON traces (caf_id, id);
CREATE INDEX traces_file ON traces (file_number, id);
DROP INDEX traces_actor;
CREATE INDEX traces_actor ON traces (actor_account_id, id);

-- The end of the chain: the last sealed trace and its hash.
CREATE TABLE trace_chain (
    id INTEGER PRIMARY KEY NOT NULL,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO trace_chain (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Evidence of each retention purge: what went, and the hash the remaining chain starts from.
CREATE TABLE retention_purges (
    id TEXT PRIMARY KEY NOT NULL,
    ran_at TIMESTAMP NOT NULL,
    traces_before TIMESTAMP NOT NULL,
    traces_purged BIGINT NOT NULL,
    first_seq BIGINT,
    last_seq BIGINT,
    first_occurred_at TIMESTAMP,
    last_occurred_at TIMESTAMP,
    anchor_hash TEXT,
    partitions_dropped TEXT NOT NULL,
    habilitations_before TIMESTAMP NOT NULL,
    habilitations_purged BIGINT NOT NULL,
    habilitation_events_purged BIGINT NOT NULL
);
CREATE INDEX retention_purges_ran ON retention_purges (ran_at);

-- Only the retention purge deletes traces: it opens a permit in its own transaction.
CREATE TABLE trace_purge_permits (
    up_to_seq BIGINT NOT NULL
);

CREATE TRIGGER traces_append_only BEFORE UPDATE ON traces
WHEN OLD.seq IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'traces are append-only');
END;

CREATE TRIGGER traces_purge_only BEFORE DELETE ON traces
WHEN NOT EXISTS (SELECT 1 FROM trace_purge_permits WHERE OLD.seq <= up_to_seq)
BEGIN
    SELECT RAISE(ABORT, 'traces are deleted only by the retention purge');
END;

-- The history of each habilitation, kept with it six years after its devalidation while the
-- traces themselves go after six months.
CREATE TABLE habilitation_events (
    trace_id TEXT PRIMARY KEY NOT NULL,
    habilitation_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    request_id TEXT,
    actor_account_id TEXT,
    actor_role TEXT,
    organisation_kind TEXT,
    organisation_id TEXT,
    action TEXT NOT NULL,
    caf_id TEXT,
    partner_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    client_id TEXT
);
CREATE INDEX habilitation_events_habilitation ON habilitation_events (habilitation_id, trace_id);
INSERT INTO habilitation_events
SELECT t.id, t.target_id, t.occurred_at, t.request_id, t.actor_account_id, t.actor_role,
       t.organisation_kind, t.organisation_id, t.action, t.caf_id, h.partner_id, t.outcome,
       t.detail, t.client_id
FROM traces t JOIN habilitations h ON h.id = t.target_id
WHERE t.target_type = 'habilitation';
CREATE INDEX habilitations_devalidated ON habilitations (devalidated_at);
