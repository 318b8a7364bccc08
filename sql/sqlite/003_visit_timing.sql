-- When the dose is taken (bedtime or morning), so that the next-step advice
-- knows whether a move to morning dosing has been made.  Visits recorded
-- before this migration hold NULL: not recorded.

ALTER TABLE visits ADD COLUMN timing TEXT
    CHECK (timing IS NULL OR timing IN ('bedtime', 'morning'));
