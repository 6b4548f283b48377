-- Alerts as they arrived, once each: `dedupe_key` makes a repeated delivery a no-op.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    dedupe_key  TEXT    NOT NULL UNIQUE,
    request_id  TEXT    UNIQUE,
    source      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    org         TEXT,
    issue_id    TEXT    NOT NULL,
    short_id    TEXT,
    project     TEXT,
    title       TEXT    NOT NULL,
    culprit     TEXT,
    level       TEXT,
    web_url     TEXT,
    payload     TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    notified_at INTEGER
);
CREATE INDEX alerts_issue ON alerts (issue_id);

-- What the user chose to do to an issue, written before it is sent to Sentry.
CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    org        TEXT    NOT NULL,
    issue_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    argument   TEXT,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX actions_pending ON actions (state) WHERE state = 'pending';

-- Small user settings (never secrets: those live in the OS keyring).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
