-- Traces are chained per perimeter (a partner's, a Caf's own, the Cnaf's) instead of in one
-- chain every write transaction queued on: each chain has its own head, locked only by the
-- transactions that seal a trace into it, only for the instant between sealing and commit.
-- The traces written so far stay in their chain, named `global`, until the purge takes them.
ALTER TABLE traces ADD COLUMN chain TEXT NOT NULL DEFAULT 'global';
ALTER TABLE traces ALTER COLUMN chain DROP DEFAULT;
DROP INDEX traces_seq;
CREATE INDEX traces_chain_seq ON traces (chain, seq);

-- The end of each chain: its last trace and that trace's hash.
CREATE TABLE trace_chains (
    chain TEXT PRIMARY KEY NOT NULL,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO trace_chains (chain, last_seq, last_hash)
SELECT 'global', last_seq, last_hash FROM trace_chain WHERE id = 1 AND last_seq > 0;
DROP TABLE trace_chain;

-- Where each chain's kept part starts: after the last trace the retention purge removed. Kept
-- apart from the heads so that a purge never holds the lock of a chain's end.
CREATE TABLE trace_chain_anchors (
    chain TEXT PRIMARY KEY NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_hash TEXT NOT NULL
);
INSERT INTO trace_chain_anchors (chain, anchor_seq, anchor_hash)
SELECT 'global', last_seq, anchor_hash FROM retention_purges
WHERE last_seq IS NOT NULL AND anchor_hash IS NOT NULL
ORDER BY last_seq DESC LIMIT 1;

-- A purge now moves many chains' anchors: its record counts them, the anchors say where.
ALTER TABLE retention_purges DROP COLUMN first_seq;
ALTER TABLE retention_purges DROP COLUMN last_seq;
ALTER TABLE retention_purges DROP COLUMN anchor_hash;
ALTER TABLE retention_purges ADD COLUMN chains_purged BIGINT NOT NULL DEFAULT 0;

-- Checkpoints of every chain's end, taken by the retention job and signed: a chain cut or
-- rewritten after a checkpoint no longer holds the trace the checkpoint saw at its end.
CREATE TABLE trace_checkpoints (
    id TEXT PRIMARY KEY NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    chains BIGINT NOT NULL,
    digest TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TABLE trace_checkpoint_heads (
    checkpoint_id TEXT NOT NULL REFERENCES trace_checkpoints (id),
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (checkpoint_id, chain)
);

-- Traces are written once, sealed: no trace is ever updated.
CREATE OR REPLACE FUNCTION mcp_traces_guard() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'traces are append-only';
    END IF;
    IF TG_OP = 'DELETE' AND coalesce(current_setting('mcp.trace_purge', true), '') <> 'on' THEN
        RAISE EXCEPTION 'traces are deleted only by the retention purge';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
