-- Release from quarantine, the per-destination view of the queue, and what retention needs.

-- A released message leaves the quarantine (action RELEASED) and is delivered; who let it out is kept.
ALTER TABLE message DROP CONSTRAINT message_action_check;
ALTER TABLE message ADD CONSTRAINT message_action_check CHECK (action IN ('DELIVER', 'QUARANTINE', 'RELEASED'));
ALTER TABLE message ADD COLUMN released_at timestamptz;
ALTER TABLE message ADD COLUMN released_by text;

-- release_message(id, by): the operation admin-api calls. Queues every recipient of a quarantined message
-- whose bytes are still there (the delivery loop resolves each route at its first attempt) and returns how
-- many; 0 when there is no such message in quarantine (unknown, already released, or deleted).
CREATE FUNCTION release_message(p_id text, p_by text) RETURNS integer
LANGUAGE sql AS $$
    WITH released AS (
        UPDATE message SET action = 'RELEASED', released_at = now(), released_by = p_by
         WHERE id = p_id AND action = 'QUARANTINE' AND raw IS NOT NULL
        RETURNING id, recipients),
    queued AS (
        INSERT INTO delivery (message_id, recipient, destination, state, next_attempt_at)
        SELECT released.id, r.recipient, '(no route)', 'QUEUED', now()
          FROM released, unnest(released.recipients) AS r(recipient)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM queued
$$;

-- The deferred queue per next hop, for the admin API: only destinations with pending recipients appear, so
-- an emptied destination disappears from the list.
CREATE INDEX delivery_pending_destination_idx ON delivery (destination, next_attempt_at)
    INCLUDE (message_id, last_attempt_at) WHERE state IN ('QUEUED', 'DEFERRED');

CREATE VIEW destination_queue AS
SELECT d.destination,
       count(*) FILTER (WHERE d.state = 'DEFERRED')                       AS deferred,
       count(*) FILTER (WHERE d.state = 'QUEUED')                         AS queued,
       count(DISTINCT d.message_id)                                       AS messages,
       min(m.received_at)                                                 AS oldest,
       min(d.next_attempt_at)                                             AS next_attempt_at,
       max(d.last_attempt_at)                                             AS last_attempt_at,
       (array_agg(d.last_reply ORDER BY d.last_attempt_at DESC NULLS LAST)
            FILTER (WHERE d.last_reply IS NOT NULL))[1]                   AS last_error
  FROM delivery d
  JOIN message m ON m.id = d.message_id
 WHERE d.state IN ('QUEUED', 'DEFERRED')
 GROUP BY d.destination;

-- retention sweeps by age
CREATE INDEX message_received_idx ON message (received_at);
