-- The user's name as Sentry shows it: its comment box mentions people by it.
ALTER TABLE accounts ADD COLUMN name TEXT;
