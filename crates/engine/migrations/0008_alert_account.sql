-- Which account (server and organization) an alert belongs to, so the same issue id from two
-- servers is two alerts. Rows of earlier releases are attributed when the app starts.
ALTER TABLE alerts ADD COLUMN account TEXT;
CREATE INDEX alerts_account_issue ON alerts (account, issue_id);
