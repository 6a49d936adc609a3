-- The Caf service centre of the service contract (art. 3): its opening hours and the delay
-- after which the escalation procedure opens (art. 3.3), in the contract's terms (JSON; the
-- Lieusaint contract's by default: Monday to Friday, 9 h to 16 h, ten days).
ALTER TABLE conventions ADD COLUMN service_centre TEXT NOT NULL DEFAULT '{"opening_days":["monday","tuesday","wednesday","thursday","friday"],"opens_at":"09:00:00","closes_at":"16:00:00","escalation_delay_days":10}';

-- Requests the partner's support structure files with the Caf service centre.
CREATE TABLE support_requests (
    id TEXT PRIMARY KEY NOT NULL,
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    -- The convention whose contract was in force when it was filed.
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    summary TEXT NOT NULL,
    -- The services concerned, a JSON array of catalogue codes.
    services TEXT NOT NULL DEFAULT '[]',
    motive TEXT NOT NULL,
    user_concerned TEXT REFERENCES accounts(id),
    callback_name TEXT NOT NULL,
    callback_phone TEXT NOT NULL,
    callback_email TEXT,
    status TEXT NOT NULL,
    assigned_to TEXT REFERENCES accounts(id),
    routed_to TEXT,
    -- The side to answer (caf or partner) and since when; none when no one is to answer.
    waiting_on TEXT,
    waiting_since TIMESTAMP,
    -- When the escalation opens for want of an answer, and when it opened.
    escalation_due_at TIMESTAMP,
    escalated_at TIMESTAMP,
    escalation_reason TEXT,
    filed_by TEXT NOT NULL REFERENCES accounts(id),
    filed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX support_requests_by_partner ON support_requests (partner_id, id);
CREATE INDEX support_requests_by_caf ON support_requests (caf_id, id);
CREATE INDEX support_requests_due ON support_requests (escalation_due_at);

-- Every exchange and step kept on a request, in order.
CREATE TABLE support_messages (
    id TEXT PRIMARY KEY NOT NULL,
    support_request_id TEXT NOT NULL REFERENCES support_requests(id),
    -- Its place in the request's thread, 1 first: the order the steps were written in, each
    -- under the request's row lock.
    seq INTEGER NOT NULL,
    step TEXT NOT NULL,
    side TEXT NOT NULL,
    author_id TEXT REFERENCES accounts(id),
    body TEXT,
    awaits_reply BOOLEAN NOT NULL DEFAULT FALSE,
    at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX support_messages_by_request ON support_messages (support_request_id, seq);
