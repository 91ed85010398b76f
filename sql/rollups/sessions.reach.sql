-- How far back changed input reaches into `sessions`: the earliest window (session start
-- hour) of the sessions already computed whose stream or request appears in the changed
-- partitions — a status sample of a stream that began hours ago reaches back to that hour,
-- not a whole day. Input of a session not yet computed began in the changed partitions
-- themselves; capability reports reach an hour back (the runner always goes back at least
-- that far). `sessions` here is the gold dataset as last computed.
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
)
SELECT min(window_start) AS affected_from FROM touched
