-- Requests spent per budget (an account, a partner's software) and minute, shared by the
-- instances in front of one database.
CREATE TABLE request_budgets (
    budget_key TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    spent BIGINT NOT NULL,
    PRIMARY KEY (budget_key, window_start)
);
CREATE INDEX request_budgets_window ON request_budgets (window_start);
