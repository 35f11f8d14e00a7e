-- mcs_by_skill
-- question: How does consumer sentiment (MCS, 0-100) vary by skill?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column skill_name: the conversation's latest skill name ('Unassigned' when missing)
-- column conversations: conversations with a non-null mcs
-- column avg_mcs: mean mcs (2 decimals)
-- column negative: conversations with mcs 0-33
-- column neutral: conversations with mcs 34-66
-- column positive: conversations with mcs 67-100
-- order: conversations desc, then skill_name
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv AS (
    SELECT COALESCE(NULLIF(c.latest_skill_name, ''), 'Unassigned') AS skill_name, c.mcs
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE c.mcs IS NOT NULL
      AND (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
)
SELECT
    skill_name,
    COUNT(*) AS conversations,
    CAST(ROUND(CAST(AVG(mcs) AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS avg_mcs,
    COUNT(CASE WHEN mcs BETWEEN 0 AND 33 THEN 1 END) AS negative,
    COUNT(CASE WHEN mcs BETWEEN 34 AND 66 THEN 1 END) AS neutral,
    COUNT(CASE WHEN mcs BETWEEN 67 AND 100 THEN 1 END) AS positive
FROM conv
GROUP BY skill_name
ORDER BY conversations DESC, skill_name COLLATE "C" ASC
