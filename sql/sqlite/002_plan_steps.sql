-- A plan's titration in numbers, for the course read (ldn_store_course):
-- the first dose, the step and the days between steps.  Plans issued
-- before this migration hold 0.

ALTER TABLE plans ADD COLUMN start_ug INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN step_ug INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN interval_d INTEGER NOT NULL DEFAULT 0;
