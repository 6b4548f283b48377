-- Sentry accounts (several at once). Tokens are in the OS keyring, keyed by the row's id.
CREATE TABLE accounts (
    id        INTEGER PRIMARY KEY,
    url       TEXT    NOT NULL,
    org       TEXT    NOT NULL,
    org_name  TEXT,
    user_id   TEXT,
    username  TEXT,
    email     TEXT,
    teams     TEXT    NOT NULL DEFAULT '[]',
    added_at  INTEGER NOT NULL,
    UNIQUE (url, org)
);
