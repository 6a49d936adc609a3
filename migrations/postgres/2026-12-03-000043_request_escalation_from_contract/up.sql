-- When a request sent to the Caf falls due for the escalation procedure (S-art. 3.3): the delay
-- of the partner's contract in force when it was sent; none when the contract sets no delay.
-- Requests already sent keep the ten days every contract had until now.
ALTER TABLE habilitation_requests ADD COLUMN escalation_due_at TIMESTAMP;
UPDATE habilitation_requests SET escalation_due_at = submitted_at + INTERVAL '10 days'
WHERE submitted_at IS NOT NULL;
CREATE INDEX habilitation_requests_due ON habilitation_requests (caf_id, escalation_due_at);
