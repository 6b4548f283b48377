-- The action queue: when to try again, who is trying now, and what to tell the user.
ALTER TABLE actions ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE actions ADD COLUMN claimed_at INTEGER;
ALTER TABLE actions ADD COLUMN notification_id INTEGER;
ALTER TABLE actions ADD COLUMN label TEXT;
ALTER TABLE actions ADD COLUMN title TEXT;
