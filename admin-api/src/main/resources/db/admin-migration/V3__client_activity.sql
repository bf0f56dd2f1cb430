-- What admin-api keeps of smtp.sessions, shaped for the client views rather than one row per session:
--
-- client_hour:   one row per client address and hour (of connect), counters added up in batches
-- client_helo:   one row per client address and HELO/EHLO name: in how many sessions it was announced
-- session_feed_offset: per partition of smtp.sessions, the next offset to read; written in the same
--                transaction as the counters, so a record is counted once even when Kafka redelivers it.

CREATE TABLE client_hour (
    ip                 inet NOT NULL,
    hour               timestamptz NOT NULL,
    sessions           integer NOT NULL,
    blocked_sessions   integer NOT NULL,        -- refused at connect by a block entry
    relay_attempts     integer NOT NULL,        -- recipients refused as relaying
    auth_failures      integer NOT NULL,
    refused_commands   integer NOT NULL,        -- every refused command (relay, syntax, sequence, ...)
    messages_accepted  integer NOT NULL,
    first_seen         timestamptz NOT NULL,
    last_seen          timestamptz NOT NULL,
    PRIMARY KEY (ip, hour)
);

-- top offenders since a time, and the hit count of a block over a range
CREATE INDEX client_hour_hour_idx ON client_hour (hour);
CREATE INDEX client_hour_ip_gist_idx ON client_hour USING gist (ip inet_ops);

CREATE TABLE client_helo (
    ip          inet NOT NULL,
    helo_name   text NOT NULL,
    sessions    integer NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (ip, helo_name)
);

CREATE INDEX client_helo_last_seen_idx ON client_helo (last_seen);

CREATE TABLE session_feed_offset (
    topic_partition  integer PRIMARY KEY,
    next_offset      bigint NOT NULL
);
