-- transfer_rate_by_skill
-- question: Which skills hand conversations on?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column skill_name: the conversation's latest skill name ('Unassigned' when missing)
-- column conversations: conversations in range
-- column transferred: of those, conversations with at least one transfer
-- column transfer_rate_pct: transferred / conversations, 0-100 (2 decimals)
-- order: conversations desc, then skill_name
WITH bounds AS NOT MATERIALIZED (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
-- Not materialized, and read twice: each reading reaches conversation's start_time
-- index with a date range, and the transferred ones are a semi-join (hash or index).
conv AS NOT MATERIALIZED (
    SELECT
        c.conversation_id,
        COALESCE(NULLIF(c.latest_skill_name, ''), 'Unassigned') AS skill_name
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
total AS (
    SELECT skill_name, COUNT(*) AS conversations
    FROM conv
    GROUP BY skill_name
),
moved AS (
    SELECT c.skill_name, COUNT(*) AS transferred
    FROM conv AS c
    WHERE EXISTS (SELECT 1 FROM transfer AS t WHERE t.conversation_id = c.conversation_id)
    GROUP BY c.skill_name
)
SELECT
    a.skill_name,
    a.conversations,
    COALESCE(m.transferred, 0) AS transferred,
    CAST(ROUND(CAST(
        100.0 * COALESCE(m.transferred, 0) / NULLIF(a.conversations, 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS transfer_rate_pct
FROM total AS a
LEFT JOIN moved AS m ON m.skill_name = a.skill_name
ORDER BY a.conversations DESC, a.skill_name COLLATE "C" ASC
