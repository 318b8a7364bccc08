-- Bearer tokens for the REST API: who (name), what they may do (role), and
-- the SHA-256 of the token, never the token itself.  Added through the
-- store, so each is in the audit log (token.add).

CREATE TABLE api_tokens (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL
                CHECK (role IN ('clinician', 'pharmacist', 'reviewer', 'admin')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
) STRICT;
