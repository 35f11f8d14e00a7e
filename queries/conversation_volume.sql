-- conversation_volume
-- question: How many conversations start each day, and how many are closed?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column day: UTC calendar day of the conversation's start_time
-- column conversations: conversations that started that day
-- column closed: of those, conversations with status CLOSE
-- column open: of those, conversations with status OPEN
-- order: day
-- Conversations without a known start time start on no day and are left out.
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv AS (
    SELECT c.start_time, c.status
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE c.start_time IS NOT NULL
      AND (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
)
SELECT
    CAST(start_time AS DATE) AS day,
    COUNT(*) AS conversations,
    COUNT(CASE WHEN status = 'CLOSE' THEN 1 END) AS closed,
    COUNT(CASE WHEN status = 'OPEN' THEN 1 END) AS open
FROM conv
GROUP BY CAST(start_time AS DATE)
ORDER BY day ASC
