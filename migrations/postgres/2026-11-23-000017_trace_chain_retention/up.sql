-- Traces: perimeter of the partner, beneficiary file consulted, chain of hashes (tamper
-- evidence), append-only guard, evidence of retention purges, durable habilitation history.
-- On PostgreSQL the traces are partitioned by month, so that the purge drops whole months.

ALTER TABLE traces RENAME TO traces_before_partitioning;
ALTER INDEX traces_target RENAME TO traces_before_partitioning_target;
ALTER INDEX traces_actor RENAME TO traces_before_partitioning_actor;
ALTER INDEX traces_occurred RENAME TO traces_before_partitioning_occurred;
ALTER INDEX traces_client RENAME TO traces_before_partitioning_client;

CREATE TABLE traces (
    id TEXT NOT NULL,
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
    detail TEXT NOT NULL,
    client_id TEXT,
    partner_id TEXT,
    file_number TEXT,
    -- Sealed when the action's transaction commits: position in the chain and hash.
    seq BIGINT,
    hash TEXT,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
-- Catches what no monthly partition takes (a clock far off); the partition job moves it.
CREATE TABLE traces_default PARTITION OF traces DEFAULT;
CREATE INDEX traces_target ON traces (target_id);
CREATE INDEX traces_actor ON traces (actor_account_id, id);
CREATE INDEX traces_occurred ON traces (occurred_at);
CREATE INDEX traces_client ON traces (client_id);
CREATE INDEX traces_seq ON traces (seq);
CREATE INDEX traces_unsealed ON traces (id) WHERE seq IS NULL;
CREATE INDEX traces_partner ON traces (partner_id, id);
CREATE INDEX traces_caf ON traces (caf_id, id);
CREATE INDEX traces_file ON traces (file_number, id);

INSERT INTO traces (id, occurred_at, request_id, actor_account_id, actor_role, organisation_kind,
                    organisation_id, action, target_type, target_id, caf_id, outcome, detail,
                    client_id, partner_id)
SELECT id, occurred_at, request_id, actor_account_id, actor_role, organisation_kind,
       organisation_id, action, target_type, target_id, caf_id, outcome, detail, client_id,
       CASE WHEN organisation_kind = 'partner' THEN organisation_id END
FROM traces_before_partitioning;
DROP TABLE traces_before_partitioning;

-- The partition of one month; the rows of that month the default partition caught move in.
CREATE FUNCTION mcp_trace_partition(month_start DATE) RETURNS VOID AS $$
DECLARE
    part TEXT := 'traces_' || to_char(month_start, 'YYYY_MM');
    month_end DATE := (month_start + INTERVAL '1 month')::DATE;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE traces INCLUDING DEFAULTS)', part);
    PERFORM set_config('mcp.trace_purge', 'on', true);
    EXECUTE format(
        'WITH moved AS (DELETE FROM traces_default WHERE occurred_at >= %L AND occurred_at < %L RETURNING *) '
        'INSERT INTO %I SELECT * FROM moved', month_start, month_end, part);
    PERFORM set_config('mcp.trace_purge', 'off', true);
    EXECUTE format('ALTER TABLE traces ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part, month_start, month_end);
END;
$$ LANGUAGE plpgsql;

SELECT mcp_trace_partition(m::DATE)
FROM generate_series(
    date_trunc('month', LEAST(COALESCE((SELECT min(occurred_at) FROM traces), now()), now())),
    date_trunc('month', now()) + INTERVAL '2 months',
    INTERVAL '1 month') AS m;

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

-- Kept paired with SQLite, where the purge opens a permit; here it sets mcp.trace_purge.
CREATE TABLE trace_purge_permits (
    up_to_seq BIGINT NOT NULL
);

-- Sealed traces never change; only the retention purge deletes (it sets mcp.trace_purge in
-- its own transaction); dropping a month's partition is the purge's other way.
CREATE FUNCTION mcp_traces_guard() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NOT NULL THEN
        RAISE EXCEPTION 'traces are append-only';
    END IF;
    IF TG_OP = 'DELETE' AND coalesce(current_setting('mcp.trace_purge', true), '') <> 'on' THEN
        RAISE EXCEPTION 'traces are deleted only by the retention purge';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER traces_guard BEFORE UPDATE OR DELETE ON traces
FOR EACH ROW EXECUTE FUNCTION mcp_traces_guard();

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
