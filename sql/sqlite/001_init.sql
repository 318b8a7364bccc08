-- The store's first schema: patients with the intake snapshot they were
-- added with, every plan issued, visits, and an append-only audit log whose
-- rows are chained by SHA-256 (see lib/store/sqlite.c, audit_append).

CREATE TABLE patients (
    id          TEXT PRIMARY KEY,
    fhir_id     TEXT,
    snapshot    TEXT NOT NULL,          -- the input, as given (JSON)
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients(id),
    issued_at       TEXT NOT NULL,
    as_of           TEXT NOT NULL,
    kb_version      TEXT NOT NULL,
    kb_fingerprint  TEXT NOT NULL,
    input_hash      TEXT NOT NULL,      -- SHA-256 of the input bytes
    preset          TEXT NOT NULL,
    decision        TEXT NOT NULL,
    earliest_start  TEXT,
    ceiling_ug      INTEGER NOT NULL,
    plan_json       TEXT NOT NULL
) STRICT;

CREATE INDEX plans_patient ON plans(patient_id, id);

CREATE TABLE visits (
    id            INTEGER PRIMARY KEY,
    patient_id    TEXT NOT NULL REFERENCES patients(id),
    date          TEXT NOT NULL,
    dose_ug       INTEGER NOT NULL,
    pain          INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
    sleep         INTEGER CHECK (sleep BETWEEN 0 AND 10),
    mood          INTEGER CHECK (mood BETWEEN 0 AND 10),
    energy        INTEGER CHECK (energy BETWEEN 0 AND 10),
    clarity       INTEGER CHECK (clarity BETWEEN 0 AND 10),
    side_effects  TEXT NOT NULL,        -- none, mild, moderate, severe, serious
    adherence     INTEGER CHECK (adherence BETWEEN 0 AND 100),
    notes         TEXT,
    created_at    TEXT NOT NULL
) STRICT;

CREATE INDEX visits_patient ON visits(patient_id, date, id);

-- Append-only: each row's hash covers the previous row's hash and this
-- row's fields, including the SHA-256 of the record it describes, so any
-- change to the log or to an audited record is found by `ldn audit verify`.
CREATE TABLE audit (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    record        TEXT NOT NULL,        -- table/id
    content_hash  TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
