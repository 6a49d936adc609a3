CREATE OR REPLACE FUNCTION mcp_traces_guard() RETURNS TRIGGER AS $$
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
DROP TABLE trace_checkpoint_heads;
DROP TABLE trace_checkpoints;
ALTER TABLE retention_purges DROP COLUMN chains_purged;
ALTER TABLE retention_purges ADD COLUMN first_seq BIGINT;
ALTER TABLE retention_purges ADD COLUMN last_seq BIGINT;
ALTER TABLE retention_purges ADD COLUMN anchor_hash TEXT;
DROP TABLE trace_chain_anchors;
CREATE TABLE trace_chain (
    id INTEGER PRIMARY KEY NOT NULL,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO trace_chain (id, last_seq, last_hash)
SELECT 1, coalesce((SELECT last_seq FROM trace_chains WHERE chain = 'global'), 0),
       coalesce((SELECT last_hash FROM trace_chains WHERE chain = 'global'),
                '0000000000000000000000000000000000000000000000000000000000000000');
DROP TABLE trace_chains;
DROP INDEX traces_chain_seq;
CREATE INDEX traces_seq ON traces (seq);
ALTER TABLE traces DROP COLUMN chain;
