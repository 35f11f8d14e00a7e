-- lead_pipeline
-- question: Which lead topics bring value?
-- param start (date, default none): first UTC day, inclusive; an event is in range by its context (a conversation by start_time, a visit by session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- column source: conversation or web_session
-- column topic: lead topic
-- column leads: distinct lead ids per context; an event without a lead id counts once
-- column total_value: sum of the lead events' value (0 when none has one)
-- column avg_value: mean of the non-null values (2 decimals)
-- order: total_value desc, then source, then topic (NULL last)
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
lead AS (
    SELECT
        l.source,
        l.topic,
        l.value,
        -- A value of 1e15 or more (no real amount) does not fit the decimal of the exact sum
        -- below: it is added as a double instead of failing the query.
        CAST(CAST(CASE WHEN ABS(l.value) < 1e15 THEN l.value END AS VARCHAR) AS DECIMAL(38, 10))
            AS value_exact,
        CASE WHEN ABS(l.value) >= 1e15 THEN l.value END AS value_huge,
        -- rn = 1 marks the first event of each lead id in a context; an event without a
        -- lead id is a lead of its own.
        ROW_NUMBER() OVER (
            PARTITION BY
                l.source,
                l.topic,
                CASE WHEN l.source = 'conversation' THEN l.conversation_id ELSE l.visit_id END,
                l.lead_id,
                CASE WHEN l.lead_id IS NULL THEN l.sde_id END
            ORDER BY l.sde_id COLLATE "C"
        ) AS rn
    FROM (
        SELECT l.* FROM sde_lead AS l
        JOIN conv_in_range AS r_c ON r_c.conversation_id = l.conversation_id
        WHERE l.source = 'conversation'
        UNION ALL
        SELECT l.* FROM sde_lead AS l
        JOIN visit_in_range AS r_v ON r_v.visit_id = l.visit_id
        WHERE l.source = 'web_session'
    ) AS l
)
SELECT
    source,
    topic,
    COUNT(CASE WHEN rn = 1 THEN 1 END) AS leads,
    -- Decimal sums are exact, so both databases add up to the same value.
    CAST(COALESCE(SUM(value_exact), 0) AS DOUBLE PRECISION) + COALESCE(SUM(value_huge), 0)
        AS total_value,
    -- (AVG of doubles: PostgreSQL's fails beyond ~1e154, summing squares as it goes)
    CASE
        WHEN COUNT(value_huge) = 0
        THEN CAST(ROUND(CAST(SUM(value_exact) / COUNT(value_exact) AS DECIMAL(38, 10)), 2)
            AS DOUBLE PRECISION)
        ELSE (CAST(COALESCE(SUM(value_exact), 0) AS DOUBLE PRECISION) + SUM(value_huge))
            / COUNT(value)
    END AS avg_value
FROM lead
GROUP BY source, topic
ORDER BY total_value DESC, source ASC, topic COLLATE "C" ASC NULLS LAST
