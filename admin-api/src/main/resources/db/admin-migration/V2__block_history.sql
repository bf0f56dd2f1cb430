-- admin-api's own tables, in schema admin (see V1); the mail store (public.message, ...) belongs to queue-service.
--
-- block_history: every record admin-api has read from the compacted policy.blocklist topic, so that the history
-- of a range survives compaction: which blocks and allows covered it, who made them, when they were removed.
-- (topic_partition, topic_offset) makes re-reading the topic from its beginning at every start idempotent.

CREATE TABLE block_history (
    topic_partition  integer NOT NULL,
    topic_offset     bigint NOT NULL,
    cidr             cidr NOT NULL,
    recorded_at      timestamptz NOT NULL,      -- the Kafka record's timestamp
    removed          boolean NOT NULL,          -- a tombstone: the entry for this CIDR was removed
    kind             text,                      -- BLOCK | ALLOW (null for a removal)
    source           text,                      -- POLICY | ADMIN
    reason           text,
    created_at       timestamptz,
    expires_at       timestamptz,
    offence          integer,
    created_by       text,
    PRIMARY KEY (topic_partition, topic_offset)
);

-- "which entries ever covered this address": cidr >>= address
CREATE INDEX block_history_cidr_idx ON block_history USING gist (cidr inet_ops);
