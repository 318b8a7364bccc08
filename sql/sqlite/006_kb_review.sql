-- The editorial log: every action on a knowledge-base item (a statement or
-- a reference), with who took it, when, on which version (the SHA-256 of the
-- item's content, kept here too so a later version can be compared with it)
-- and why.  Rows are only ever added; each is vouched for by an audit row.

CREATE TABLE kb_review (
    seq      INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('statement', 'reference')),
    item     TEXT NOT NULL,
    version  TEXT NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('submitted', 'under-review',
                 'changes-requested', 'approved', 'retired')),
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    why      TEXT NOT NULL,
    content  TEXT NOT NULL
) STRICT;

CREATE INDEX kb_review_item ON kb_review (kind, item, seq);
