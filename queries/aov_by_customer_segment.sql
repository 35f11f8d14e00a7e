-- aov_by_customer_segment
-- question: Are premium members the heaviest buyers?
-- param start (date, default none): first UTC day, inclusive; an event is in range by its context (a conversation by start_time, a visit by session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- param segment_by (one of customer_type|customer_status, default customer_type): the customer-info field that makes the segment
-- column source: conversation or web_session
-- column segment: the segment_by field, lower-cased and trimmed, of the context's latest customer-info event ('unknown' when there is none, or it is empty or null)
-- column orders: orders: purchase events with a non-null total; the same order_id twice in one context counts once (its latest event)
-- column revenue: sum of the orders' total
-- column aov: revenue / orders (2 decimals)
-- column contexts: contexts (conversations or visits) with an order
-- order: source, then revenue desc, then segment
-- The latest customer-info event is the one with the greatest server_time, authenticated or not.
-- Segments without orders have no row.
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
orders AS (
    SELECT
        p.source,
        CASE WHEN p.source = 'conversation' THEN p.conversation_id ELSE p.visit_id END
            AS context_id,
        p.total,
        -- One row per order: an order id seen twice in a context keeps its latest event;
        -- an event without an order id is an order of its own.
        ROW_NUMBER() OVER (
            PARTITION BY
                p.source,
                CASE WHEN p.source = 'conversation' THEN p.conversation_id ELSE p.visit_id END,
                p.order_id,
                CASE WHEN p.order_id IS NULL THEN p.sde_id END
            ORDER BY p.server_time DESC NULLS LAST, p.sde_id COLLATE "C" DESC
        ) AS rn
    FROM (
        SELECT p.* FROM sde_purchase AS p
        JOIN conv_in_range AS r_c ON r_c.conversation_id = p.conversation_id
        WHERE p.source = 'conversation' AND p.total IS NOT NULL
        UNION ALL
        SELECT p.* FROM sde_purchase AS p
        JOIN visit_in_range AS r_v ON r_v.visit_id = p.visit_id
        WHERE p.source = 'web_session' AND p.total IS NOT NULL
    ) AS p
),
latest_info AS (
    SELECT
        i.source,
        CASE WHEN i.source = 'conversation' THEN i.conversation_id ELSE i.visit_id END
            AS context_id,
        CASE WHEN :segment_by = 'customer_status' THEN i.customer_status ELSE i.customer_type END
            AS segment_value,
        ROW_NUMBER() OVER (
            PARTITION BY
                i.source,
                CASE WHEN i.source = 'conversation' THEN i.conversation_id ELSE i.visit_id END
            ORDER BY i.server_time DESC NULLS LAST, i.sde_id COLLATE "C" DESC
        ) AS rn
    FROM (
        SELECT i.* FROM sde_customer_info AS i
        JOIN conv_in_range AS r_c ON r_c.conversation_id = i.conversation_id
        WHERE i.source = 'conversation'
        UNION ALL
        SELECT i.* FROM sde_customer_info AS i
        JOIN visit_in_range AS r_v ON r_v.visit_id = i.visit_id
        WHERE i.source = 'web_session'
    ) AS i
),
segmented AS (
    SELECT
        o.source,
        o.context_id,
        CAST(CAST(CASE WHEN ABS(o.total) < 1e15 THEN o.total END AS VARCHAR) AS DECIMAL(38, 10))
            AS total_exact,
        CASE WHEN ABS(o.total) >= 1e15 THEN o.total END AS total_huge,
        -- Trimmed of white space of any kind: spaces, tabs, line breaks, no-break spaces.
        COALESCE(
            NULLIF(LOWER(TRIM(i.segment_value, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13) || CHR(160))), ''),
            'unknown'
        ) AS segment
    FROM orders AS o
    LEFT JOIN latest_info AS i
        ON i.source = o.source AND i.context_id = o.context_id AND i.rn = 1
    WHERE o.rn = 1
)
SELECT
    source,
    segment,
    COUNT(*) AS orders,
    -- Decimal sums are exact, so both databases add up to the same value. A value of 1e15
    -- or more (no real amount) does not fit the decimal: it is added as a double instead
    -- of failing the query.
    CAST(COALESCE(SUM(total_exact), 0) AS DOUBLE PRECISION) + COALESCE(SUM(total_huge), 0)
        AS revenue,
    CASE
        WHEN COUNT(total_huge) = 0
        THEN CAST(ROUND(CAST(SUM(total_exact) / COUNT(*) AS DECIMAL(38, 10)), 2)
            AS DOUBLE PRECISION)
        ELSE (CAST(COALESCE(SUM(total_exact), 0) AS DOUBLE PRECISION) + SUM(total_huge))
            / COUNT(*)
    END AS aov,
    COUNT(DISTINCT context_id) AS contexts
FROM segmented
GROUP BY source, segment
ORDER BY source ASC, revenue DESC, segment COLLATE "C" ASC
