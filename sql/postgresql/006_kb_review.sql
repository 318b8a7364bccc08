-- The editorial log: every action on a knowledge-base item (a statement or
-- a reference), with who took it, when, on which version (the SHA-256 of the
-- item's content, kept here too so a later version can be compared with it)
-- and why.  Rows are only ever added; each is vouched for by an audit row.

CREATE TABLE kb_review (
    seq      BIGINT PRIMARY KEY,
    kind     TEXT COLLATE "C" NOT NULL
             CHECK (kind IN ('statement', 'reference')),
    item     TEXT COLLATE "C" NOT NULL,
    version  TEXT COLLATE "C" NOT NULL,
    state    TEXT COLLATE "C" NOT NULL
             CHECK (state IN ('submitted', 'under-review',
                 'changes-requested', 'approved', 'retired')),
    actor    TEXT COLLATE "C" NOT NULL,
    at       TEXT COLLATE "C" NOT NULL,
    why      TEXT COLLATE "C" NOT NULL,
    content  TEXT COLLATE "C" NOT NULL
);

CREATE INDEX kb_review_item ON kb_review (kind, item, seq);
