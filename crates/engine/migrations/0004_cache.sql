-- What was fetched from Sentry for the policy (ownership rules, latest events, who "me" is),
-- kept for a while so each alert does not cost requests.
CREATE TABLE cache (
    key        TEXT PRIMARY KEY,
    value      TEXT    NOT NULL,
    fetched_at INTEGER NOT NULL
);
