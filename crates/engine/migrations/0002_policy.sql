-- What the policy decided for each alert, and why (a JSON array of reasons).
ALTER TABLE alerts ADD COLUMN decision TEXT;
ALTER TABLE alerts ADD COLUMN reasons TEXT;
CREATE INDEX alerts_project_notified ON alerts (project, notified_at);

-- Preferences as JSON, per project; the row '*' holds the defaults for every project.
CREATE TABLE preferences (
    project TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
