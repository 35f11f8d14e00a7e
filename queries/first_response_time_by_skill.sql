-- first_response_time_by_skill
-- question: How fast do agents first answer?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column skill_name: the conversation's latest skill name ('Unassigned' when missing)
-- column conversations: conversations with at least one consumer message
-- column answered: of those, conversations with an agent message at or after the first consumer message
-- column unanswered: of those, conversations without such an agent message (also those whose
--   consumer messages all have an unknown time: no agent message is known to follow them)
-- column avg_frt_s: mean first response time in seconds over the answered (2 decimals)
-- column median_frt_s: median first response time in seconds over the answered (percentile_cont(0.5), 2 decimals)
-- order: conversations desc, then skill_name
-- First response time = time of the first Agent message at or after the first Consumer message,
--   minus the time of that first Consumer message (messages by timeL).
WITH bounds AS NOT MATERIALIZED (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
-- Not materialized: a date range reaches conversation's start_time index.
conv AS NOT MATERIALIZED (
    SELECT
        c.conversation_id,
        COALESCE(NULLIF(c.latest_skill_name, ''), 'Unassigned') AS skill_name
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
-- Per conversation (lateral): its first consumer message and, from that time on, its first
-- agent message, each the first entry of message's (conversation_id, time) index.
first_consumer AS (
    SELECT c.conversation_id, c.skill_name, fc.time AS consumer_time
    FROM conv AS c
    CROSS JOIN LATERAL (
        SELECT m.time
        FROM message AS m
        WHERE m.conversation_id = c.conversation_id
          AND m.sent_by = 'Consumer'
        ORDER BY m.time ASC NULLS LAST
        LIMIT 1
    ) AS fc
),
first_response AS (
    SELECT f.skill_name, f.consumer_time, fa.agent_time
    FROM first_consumer AS f
    CROSS JOIN LATERAL (
        SELECT MIN(m.time) AS agent_time
        FROM message AS m
        WHERE m.conversation_id = f.conversation_id
          AND m.sent_by = 'Agent'
          AND m.time >= f.consumer_time
    ) AS fa
),
frt AS (
    SELECT
        r.skill_name,
        -- Epoch of the interval, not a difference of two epochs: exact to the millisecond.
        CAST(EXTRACT(EPOCH FROM (r.agent_time - r.consumer_time)) AS DOUBLE PRECISION) AS frt_s
    FROM first_response AS r
)
SELECT
    skill_name,
    COUNT(*) AS conversations,
    COUNT(frt_s) AS answered,
    COUNT(*) - COUNT(frt_s) AS unanswered,
    CAST(ROUND(CAST(AVG(frt_s) AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS avg_frt_s,
    CAST(ROUND(CAST(
        percentile_cont(0.5) WITHIN GROUP (ORDER BY frt_s)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS median_frt_s
FROM frt
GROUP BY skill_name
ORDER BY conversations DESC, skill_name COLLATE "C" ASC
