-- How far back changed input reaches into `sessions`: the earliest window (session start
-- hour) of the sessions already computed whose stream or request appears in the changed
-- partitions — a status sample of a stream that began hours ago reaches back to that hour,
-- not a whole day. Input of a session not yet computed began in the changed partitions
-- themselves. A capability report names the sessions that started from 30 minutes before it
-- (sessions.sql, `candidates`). `sessions` here is the gold dataset as last computed.
WITH keys AS (
    SELECT DISTINCT coalesce(stream_id, '') AS stream_id, coalesce(request_id, '') AS request_id
    FROM changed_stream_trace
    UNION
    SELECT DISTINCT coalesce(stream_id, ''), coalesce(request_id, '') FROM changed_ai_stream_status
    UNION
    SELECT DISTINCT coalesce(stream_id, ''), coalesce(request_id, '') FROM changed_ai_stream_events
),
touched AS (
    SELECT s.window_start
    FROM sessions s
    JOIN keys k ON coalesce(s.stream_id, '') = k.stream_id AND coalesce(s.request_id, '') = k.request_id
    UNION ALL
    -- A session's first payment carries its request id (the fallback attribution).
    SELECT s.window_start
    FROM sessions s
    JOIN (SELECT DISTINCT request_id FROM changed_payments WHERE coalesce(request_id, '') <> '') p
      ON s.request_id = p.request_id
    UNION ALL
    -- Its later payments carry its payment session id instead.
    SELECT s.window_start
    FROM sessions s
    JOIN (SELECT DISTINCT session_id FROM changed_payments
          WHERE coalesce(request_id, '') = '' AND coalesce(session_id, '') <> '') p
      ON s.payment_session_id = p.session_id
    UNION ALL
    -- A remote signer's payments carry the request id.
    SELECT s.window_start
    FROM sessions s
    JOIN (SELECT DISTINCT request_id FROM changed_signed_tickets WHERE coalesce(request_id, '') <> '') p
      ON s.request_id = p.request_id
    UNION ALL
    SELECT date_trunc('hour', min(event_ts) - INTERVAL '30 minutes') FROM changed_capability_orchestrators
    UNION ALL
    SELECT date_trunc('hour', min(event_ts) - INTERVAL '30 minutes') FROM changed_capability_gpus
)
SELECT min(window_start) AS affected_from FROM touched
