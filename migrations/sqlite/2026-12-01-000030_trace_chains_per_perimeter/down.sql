DROP TRIGGER traces_purge_only;
DROP TABLE trace_purge_permits;
CREATE TABLE trace_purge_permits (
    up_to_seq BIGINT NOT NULL
);
CREATE TRIGGER traces_purge_only BEFORE DELETE ON traces
WHEN NOT EXISTS (SELECT 1 FROM trace_purge_permits WHERE OLD.seq <= up_to_seq)
BEGIN
    SELECT RAISE(ABORT, 'traces are deleted only by the retention purge');
END;
DROP TRIGGER traces_append_only;
CREATE TRIGGER traces_append_only BEFORE UPDATE ON traces
WHEN OLD.seq IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'traces are append-only');
END;
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
CREATE UNIQUE INDEX traces_seq ON traces (seq);
ALTER TABLE traces DROP COLUMN chain;
