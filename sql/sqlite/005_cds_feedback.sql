-- What clinicians did with the cards (CDS Hooks feedback): accepted or
-- overridden, with the reason or the suggestions taken, as the EHR sent it.

CREATE TABLE cds_feedback (
    id                 INTEGER PRIMARY KEY,
    service            TEXT NOT NULL,
    card               TEXT NOT NULL,          -- the card's uuid
    outcome            TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
    outcome_timestamp  TEXT NOT NULL,
    detail             TEXT,                   -- the feedback item, JSON
    received_at        TEXT NOT NULL
) STRICT;
