-- The issue's substatus as the alert said it (`regressed`, `escalating`, …), for the weekly
-- summary's regressions; NULL where it did not say, and for alerts stored before.
ALTER TABLE alerts ADD COLUMN substatus TEXT;
