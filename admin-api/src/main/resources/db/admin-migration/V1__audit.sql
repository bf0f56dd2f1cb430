-- admin-api's own tables live in the schema "admin" (Flyway history: admin.admin_schema_history), apart from
-- the mail store that queue-service owns in "public": neither service's migrations ever see the other's
-- tables, whichever starts first.

-- audit: one row per mutating call (POST, PUT, PATCH, DELETE under /api/v1) by an authenticated key,
-- whatever its result, written by AuditFilter.
CREATE TABLE audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- newest first = id descending
    at        timestamptz NOT NULL DEFAULT now(),
    key_name  text NOT NULL,                                      -- the API key's name (local-admin, or from the key file)
    role      text NOT NULL,                                      -- the key's role when it called
    action    text NOT NULL,                                      -- method and route template: DELETE /api/v1/quarantine/{id}
    target    jsonb NOT NULL,                                     -- path parameters, query parameters, the request body
    status    integer NOT NULL                                    -- the HTTP status of the answer
);

CREATE INDEX audit_key_idx ON audit (key_name, id DESC);
CREATE INDEX audit_at_idx ON audit (at);
