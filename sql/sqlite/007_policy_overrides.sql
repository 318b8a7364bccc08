-- Where sources conflict, a plan may depart from the default side by a
-- named policy (`--policy NAME=VALUE`).  A stored plan that does keeps
-- who chose it and why, one row per policy, audited (override.record).

CREATE TABLE policy_overrides (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER NOT NULL REFERENCES plans(id),
    policy   TEXT NOT NULL,
    value    TEXT NOT NULL,
    actor    TEXT NOT NULL,
    why      TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;

CREATE INDEX policy_overrides_plan ON policy_overrides (plan_id, id);
