-- The mail store, owned by queue-service. admin-api reads it.
--
-- message:  one row per message the gateway accepted and the policy service judged, with the bytes for as
--           long as anything may still need them (delivery pending or failed, quarantine).
-- delivery: one row per recipient of a DELIVER message: where it goes, its state, its retry schedule.

CREATE TABLE message (
    id           text PRIMARY KEY,              -- the gateway's message id (also in its Received: header)
    received_at  timestamptz NOT NULL,          -- end of DATA at the ingress
    client_ip    inet NOT NULL,
    helo_name    text,
    mail_from    text NOT NULL,                 -- '' for the null sender <>
    recipients   text[] NOT NULL,
    size         integer NOT NULL,
    subject      text,                          -- the Subject: header as sent (encoded words not decoded)
    envelope     jsonb NOT NULL,                -- the whole envelope as the ingress sent it
    action       text NOT NULL CHECK (action IN ('DELIVER', 'QUARANTINE')),
    score        double precision NOT NULL,
    threshold    double precision NOT NULL,     -- the quarantine threshold in force when it was judged
    hits         jsonb NOT NULL,                -- [{rule, score, reason}], the verdict's explanation
    decided_at   timestamptz NOT NULL,
    stored_at    timestamptz NOT NULL DEFAULT now(),
    raw          bytea                          -- null once every recipient has it
);

-- the quarantine, newest first, and one client's messages
CREATE INDEX message_quarantine_idx ON message (received_at DESC, id DESC) WHERE action = 'QUARANTINE';
CREATE INDEX message_client_ip_idx ON message (client_ip, received_at DESC, id DESC);

CREATE TABLE delivery (
    message_id       text NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    recipient        text NOT NULL,
    destination      text NOT NULL,             -- host:port from gateway.delivery.routes
    state            text NOT NULL CHECK (state IN ('QUEUED', 'DEFERRED', 'DELIVERED', 'FAILED', 'EXPIRED')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_until      timestamptz,               -- an instance is delivering it until then
    last_attempt_at  timestamptz,
    last_reply       text,                      -- the downstream's reply or the connection error
    delivered_at     timestamptz,
    PRIMARY KEY (message_id, recipient)
);

-- due work for the delivery loop, and the per-destination view of the deferred queue
CREATE INDEX delivery_due_idx ON delivery (next_attempt_at) WHERE state IN ('QUEUED', 'DEFERRED');
CREATE INDEX delivery_destination_idx ON delivery (destination, state);
