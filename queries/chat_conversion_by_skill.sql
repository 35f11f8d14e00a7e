-- chat_conversion_by_skill
-- question: Do conversations lead to purchases?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column skill_name: the conversation's latest skill name ('Unassigned' when missing)
-- column conversations: conversations in range
-- column converted: of those, conversations with at least one purchase event with a non-null total
-- column conversion_pct: converted / conversations, 0-100 (2 decimals)
-- column revenue: sum of those purchases' total, orders counted as in aov_by_customer_segment (0 when none)
-- order: conversations desc, then skill_name
-- Purchases are the conversation's own SDE events (source conversation).
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv AS (
    SELECT
        c.conversation_id,
        COALESCE(NULLIF(c.latest_skill_name, ''), 'Unassigned') AS skill_name
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
orders AS (
    SELECT
        p.conversation_id,
        p.total,
        -- One row per order: an order id seen twice keeps its latest event.
        ROW_NUMBER() OVER (
            PARTITION BY p.conversation_id, p.order_id, CASE WHEN p.order_id IS NULL THEN p.sde_id END
            ORDER BY p.server_time DESC NULLS LAST, p.sde_id COLLATE "C" DESC
        ) AS rn
    FROM sde_purchase AS p
    JOIN conv AS c ON c.conversation_id = p.conversation_id
    WHERE p.source = 'conversation' AND p.total IS NOT NULL
),
per_conversation AS (
    SELECT
        conversation_id,
        SUM(CAST(CAST(CASE WHEN ABS(total) < 1e15 THEN total END AS VARCHAR) AS DECIMAL(38, 10)))
            AS revenue_exact,
        SUM(CASE WHEN ABS(total) >= 1e15 THEN total END) AS revenue_huge
    FROM orders
    WHERE rn = 1
    GROUP BY conversation_id
)
SELECT
    c.skill_name,
    COUNT(*) AS conversations,
    COUNT(p.conversation_id) AS converted,
    CAST(ROUND(CAST(
        100.0 * COUNT(p.conversation_id) / NULLIF(COUNT(*), 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS conversion_pct,
    -- Decimal sums are exact, so both databases add up to the same value. A value of 1e15
    -- or more (no real amount) does not fit the decimal: it is added as a double instead
    -- of failing the query.
    CAST(COALESCE(SUM(p.revenue_exact), 0) AS DOUBLE PRECISION)
        + COALESCE(SUM(p.revenue_huge), 0) AS revenue
FROM conv AS c
LEFT JOIN per_conversation AS p ON p.conversation_id = c.conversation_id
GROUP BY c.skill_name
ORDER BY conversations DESC, skill_name COLLATE "C" ASC
