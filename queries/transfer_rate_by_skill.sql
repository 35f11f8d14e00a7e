-- transfer_rate_by_skill
-- question: Which skills hand conversations on?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column skill_name: the conversation's latest skill name ('Unassigned' when missing)
-- column conversations: conversations in range
-- column transferred: of those, conversations with at least one transfer
-- column transfer_rate_pct: transferred / conversations, 0-100 (2 decimals)
-- order: conversations desc, then skill_name
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv AS (
    SELECT
        c.conversation_id,
        COALESCE(NULLIF(c.latest_skill_name, ''), 'Unassigned') AS skill_name,
        CASE
            WHEN EXISTS (SELECT 1 FROM transfer AS t WHERE t.conversation_id = c.conversation_id)
            THEN 1
        END AS transferred
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
)
SELECT
    skill_name,
    COUNT(*) AS conversations,
    COUNT(transferred) AS transferred,
    CAST(ROUND(CAST(
        100.0 * COUNT(transferred) / NULLIF(COUNT(*), 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS transfer_rate_pct
FROM conv
GROUP BY skill_name
ORDER BY conversations DESC, skill_name COLLATE "C" ASC
