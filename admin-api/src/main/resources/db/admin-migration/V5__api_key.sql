-- API keys made over the API (POST /api/v1/keys), shared by every admin-api instance: a key made on one replica
-- authenticates on the other, a deleted one stops working on both at once (each authentication looks here).
-- Only the key's SHA-256 is stored; the key itself is shown once, in the answer to its creation.
CREATE TABLE api_key (
    name        text PRIMARY KEY,                                     -- 1-64 of A-Z a-z 0-9 . _ @ -
    role        text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    key_hash    text NOT NULL UNIQUE,                                 -- SHA-256 (hex) of the key; the index authentication uses
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL                                         -- the admin key that made it
);
