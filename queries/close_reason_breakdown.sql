-- close_reason_breakdown
-- question: Who ends conversations, and how?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column close_reason: who closed the conversation (AGENT, CONSUMER, SYSTEM, ...)
-- column close_reason_description: how it was closed (MANUAL_CLOSE, ...)
-- column conversations: closed conversations with this reason and description
-- column share_pct: share of all closed conversations in range, 0-100 (2 decimals)
-- order: conversations desc, then close_reason, then close_reason_description (NULL last)
-- Closed conversations only (status CLOSE).
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
closed AS (
    SELECT c.close_reason, c.close_reason_description
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE c.status = 'CLOSE'
      AND (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
)
SELECT
    close_reason,
    close_reason_description,
    COUNT(*) AS conversations,
    CAST(ROUND(CAST(
        100.0 * COUNT(*) / NULLIF((SELECT COUNT(*) FROM closed), 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS share_pct
FROM closed
GROUP BY close_reason, close_reason_description
ORDER BY conversations DESC, close_reason COLLATE "C" ASC NULLS LAST,
    close_reason_description COLLATE "C" ASC NULLS LAST
