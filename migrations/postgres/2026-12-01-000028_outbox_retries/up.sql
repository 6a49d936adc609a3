-- Refused messages are tried again with backoff, then set aside for the Cnaf to see.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN set_aside_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
