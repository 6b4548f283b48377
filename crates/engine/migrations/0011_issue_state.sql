-- Each issue's state in Sentry as the app last heard it (webhooks, polling, the answers to its
-- own actions), so the inbox shows it without reading bodies. A part nobody said is NULL.
-- `account` is '' for alerts whose account is not known (read by organization then).
CREATE TABLE issue_states (
    account       TEXT    NOT NULL,
    org           TEXT    NOT NULL,
    issue_id      TEXT    NOT NULL,
    status        TEXT,
    -- `user:<id>` or `team:<slug>`; '' for nobody.
    assignee      TEXT,
    assignee_name TEXT,
    events        INTEGER,
    users         INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (org, issue_id, account)
);
-- What reverses a done action (`unresolve`, `assign=user:4`, `unassign`), from the issue's
-- state when it was chosen.
ALTER TABLE actions ADD COLUMN undo TEXT;
