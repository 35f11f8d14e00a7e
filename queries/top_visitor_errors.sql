-- top_visitor_errors
-- question: What goes wrong for visitors?
-- param start (date, default none): first UTC day, inclusive; an event is in range by its context (a conversation by start_time, a visit by session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- param limit (int, default 20): the number of rows at most
-- column code: error code (text in both sources, so web 100004 and messaging "100004" are one code)
-- column message: error message
-- column occurrences: visitor-error events
-- column contexts: distinct contexts (conversations or visits) with the error
-- column unresolved: events whose resolved is not true (false or unknown)
-- order: occurrences desc, then code, then message (NULL last)
WITH bounds AS NOT MATERIALIZED (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv_in_range AS NOT MATERIALIZED (
    SELECT c.conversation_id
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
visit_in_range AS NOT MATERIALIZED (
    SELECT w.visit_id
    FROM web_session AS w
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) >= b.start_ts)
      AND (b.end_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) < b.end_ts)
),
error AS (
    SELECT
        e.code,
        e.message,
        e.resolved,
        -- The source prefix keeps a conversation and a visit with equal ids apart.
        e.source || '/'
            || CASE WHEN e.source = 'conversation' THEN e.conversation_id ELSE e.visit_id END
            AS context_key
    FROM (
        SELECT e.* FROM sde_visitor_error AS e
        JOIN conv_in_range AS r_c ON r_c.conversation_id = e.conversation_id
        WHERE e.source = 'conversation'
        UNION ALL
        SELECT e.* FROM sde_visitor_error AS e
        JOIN visit_in_range AS r_v ON r_v.visit_id = e.visit_id
        WHERE e.source = 'web_session'
    ) AS e
)
SELECT
    code,
    message,
    COUNT(*) AS occurrences,
    COUNT(DISTINCT context_key) AS contexts,
    COUNT(CASE WHEN resolved IS NOT TRUE THEN 1 END) AS unresolved
FROM error
GROUP BY code, message
ORDER BY occurrences DESC, code COLLATE "C" ASC NULLS LAST, message COLLATE "C" ASC NULLS LAST
LIMIT :limit
