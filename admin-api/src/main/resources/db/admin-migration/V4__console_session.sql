-- The web console's logins, shared by every admin-api instance (a browser may reach any replica).
-- The cookie carries a random session id; only its SHA-256 is stored here, never the API key.
CREATE TABLE console_session (
    id_hash     text PRIMARY KEY,           -- SHA-256 (hex) of the cookie's session id
    key_name    text NOT NULL,              -- the API key that logged in (its role is looked up at each request)
    csrf_token  text NOT NULL,              -- the token every form of this session carries
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    notice      text                        -- what the last action did, shown once by the next page
);

CREATE INDEX console_session_expires_idx ON console_session (expires_at);
