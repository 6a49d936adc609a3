DROP INDEX habilitations_devalidated;
DROP TABLE habilitation_events;
DROP TRIGGER traces_guard ON traces;
DROP FUNCTION mcp_traces_guard();
DROP TABLE trace_purge_permits;
DROP TABLE retention_purges;
DROP TABLE trace_chain;
DROP FUNCTION mcp_trace_partition(DATE);
CREATE TABLE traces_unpartitioned (
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
    detail TEXT NOT NULL,
    client_id TEXT
);
INSERT INTO traces_unpartitioned
SELECT id, occurred_at, request_id, actor_account_id, actor_role, organisation_kind,
       organisation_id, action, target_type, target_id, caf_id, outcome, detail, client_id
FROM traces;
DROP TABLE traces;
ALTER TABLE traces_unpartitioned RENAME TO traces;
CREATE INDEX traces_target ON traces (target_id);
CREATE INDEX traces_actor ON traces (actor_account_id);
CREATE INDEX traces_occurred ON traces (occurred_at);
CREATE INDEX traces_client ON traces (client_id);
