DROP INDEX habilitation_requests_due;
ALTER TABLE habilitation_requests DROP COLUMN escalation_due_at;
