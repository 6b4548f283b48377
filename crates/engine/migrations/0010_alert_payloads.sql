-- The body as Sentry sent it, beside its alert rather than in it: the alert's row is updated
-- (decision, shown) while the body, kilobytes each, is written once.
CREATE TABLE alert_payloads (
    alert_id INTEGER PRIMARY KEY REFERENCES alerts (id) ON DELETE CASCADE,
    payload  TEXT    NOT NULL
);
INSERT INTO alert_payloads (alert_id, payload) SELECT id, payload FROM alerts;
ALTER TABLE alerts DROP COLUMN payload;
