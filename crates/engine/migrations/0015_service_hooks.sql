-- Service hooks the app created in Sentry for the user (one per project of an account), so
-- their deliveries are verified with their own secret (in the keyring, by this row's id) and
-- they are removed again with the project's account or from the window.
CREATE TABLE service_hooks (
    id         INTEGER PRIMARY KEY,
    account    TEXT    NOT NULL,
    org        TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    hook_id    TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account, project)
);
