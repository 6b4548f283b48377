-- Issues the user muted for themselves on this desktop ("mute for me"); Sentry is not told.
-- `account` is '' where the alert's account was not known. `until` and `ended` are the
-- policy's MuteUntil and MuteEnd as JSON. A row stays after its mute ended, so the issue's
-- next alert (and the window) can say why it is back; `noted` is set once an alert said it.
CREATE TABLE issue_mutes (
    account    TEXT    NOT NULL,
    org        TEXT    NOT NULL,
    issue_id   TEXT    NOT NULL,
    project    TEXT,
    label      TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    until      TEXT    NOT NULL,
    muted_at   INTEGER NOT NULL,
    ended_at   INTEGER,
    ended      TEXT,
    noted      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org, issue_id, account)
);
