-- When an alert held for the digest went out in a digest summary.
ALTER TABLE alerts ADD COLUMN digested_at INTEGER;
CREATE INDEX alerts_digest ON alerts (project) WHERE decision = 'digest' AND digested_at IS NULL;

-- Which process claimed a queued action, so a new run can free the claims of one that died.
ALTER TABLE actions ADD COLUMN claimed_by INTEGER;
