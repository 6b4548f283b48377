-- An action whose update was sent without an answer (the connection dropped, the app was
-- killed): it may have reached Sentry, so the issue's state is compared before it is sent again.
ALTER TABLE actions ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0;
