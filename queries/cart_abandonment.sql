-- cart_abandonment
-- question: How many carts are left behind?
-- param start (date, default none): first UTC day, inclusive; an event is in range by its context (a conversation by start_time, a visit by session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- column source: conversation or web_session
-- column contexts_with_cart: contexts (conversations or visits) with at least one cart-status event
-- column purchased: of those, contexts with any purchase event (even one without a total)
-- column abandoned: of those, contexts without a purchase event
-- column abandonment_pct: abandoned / contexts_with_cart, 0-100 (2 decimals)
-- column abandoned_value: sum over abandoned contexts of the total of their latest cart-status event (nulls ignored; 0 when none)
-- order: source
-- The latest cart-status event is the one with the greatest server_time.
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
carts AS (
    SELECT
        s.source,
        CASE WHEN s.source = 'conversation' THEN s.conversation_id ELSE s.visit_id END
            AS context_id,
        -- A total of 1e15 or more (no real amount) does not fit the decimal of the exact sum
        -- below: it is added as a double instead of failing the query.
        CAST(CAST(CASE WHEN ABS(s.total) < 1e15 THEN s.total END AS VARCHAR) AS DECIMAL(38, 10))
            AS total_exact,
        CASE WHEN ABS(s.total) >= 1e15 THEN s.total END AS total_huge,
        ROW_NUMBER() OVER (
            PARTITION BY
                s.source,
                CASE WHEN s.source = 'conversation' THEN s.conversation_id ELSE s.visit_id END
            ORDER BY s.server_time DESC NULLS LAST, s.sde_id COLLATE "C" DESC
        ) AS rn
    FROM (
        SELECT s.* FROM sde_cart_status AS s
        JOIN conv_in_range AS r_c ON r_c.conversation_id = s.conversation_id
        WHERE s.source = 'conversation'
        UNION ALL
        SELECT s.* FROM sde_cart_status AS s
        JOIN visit_in_range AS r_v ON r_v.visit_id = s.visit_id
        WHERE s.source = 'web_session'
    ) AS s
),
-- The latest cart of each context and every purchase's context, counted by one aggregate
-- per context: no join, whose plan PostgreSQL would choose on row estimates. (Joined, with
-- no statistics on the window's output, it expected 2 latest carts and looped over the
-- purchases for each: a minute at 100,000 conversations. An IN test is hashed only while
-- the purchases fit in work_mem.)
contexts AS (
    SELECT
        source,
        context_id,
        MAX(total_exact) AS total_exact,
        MAX(total_huge) AS total_huge,
        MAX(is_cart) AS has_cart,
        MAX(is_purchase) AS purchased
    FROM (
        SELECT source, context_id, total_exact, total_huge, 1 AS is_cart, 0 AS is_purchase
        FROM carts
        WHERE rn = 1
        UNION ALL
        -- A purchase shares its context (and so its range) with the cart it is matched to.
        SELECT
            p.source,
            CASE WHEN p.source = 'conversation' THEN p.conversation_id ELSE p.visit_id END,
            NULL,
            NULL,
            0,
            1
        FROM (
            SELECT p.* FROM sde_purchase AS p
            JOIN conv_in_range AS r_c ON r_c.conversation_id = p.conversation_id
            WHERE p.source = 'conversation'
            UNION ALL
            SELECT p.* FROM sde_purchase AS p
            JOIN visit_in_range AS r_v ON r_v.visit_id = p.visit_id
            WHERE p.source = 'web_session'
        ) AS p
    ) AS events
    GROUP BY source, context_id
)
SELECT
    source,
    COUNT(*) AS contexts_with_cart,
    SUM(purchased) AS purchased,
    COUNT(*) - SUM(purchased) AS abandoned,
    CAST(ROUND(CAST(
        100.0 * (COUNT(*) - SUM(purchased)) / NULLIF(COUNT(*), 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS abandonment_pct,
    -- Decimal sums are exact, so both databases add up to the same value.
    CAST(COALESCE(SUM(CASE WHEN purchased = 0 THEN total_exact END), 0) AS DOUBLE PRECISION)
        + COALESCE(SUM(CASE WHEN purchased = 0 THEN total_huge END), 0)
        AS abandoned_value
FROM contexts
WHERE has_cart = 1
GROUP BY source
ORDER BY source ASC
