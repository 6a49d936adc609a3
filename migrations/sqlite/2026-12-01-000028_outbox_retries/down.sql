ALTER TABLE outbox DROP COLUMN last_error;
ALTER TABLE outbox DROP COLUMN set_aside_at;
ALTER TABLE outbox DROP COLUMN next_attempt_at;
ALTER TABLE outbox DROP COLUMN attempts;
