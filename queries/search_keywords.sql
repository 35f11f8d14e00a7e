-- search_keywords
-- question: What do visitors search for?
-- param start (date, default none): first UTC day, inclusive; an event is in range by its context (a conversation by start_time, a visit by session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- param limit (int, default 20): the number of rows at most
-- column keyword: keyword of search-content events, lower-cased and trimmed
-- column searches: search-content events containing the keyword
-- column contexts: distinct contexts (conversations or visits) that searched for it
-- order: searches desc, then keyword
-- Empty keywords are left out.
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
search AS (
    SELECT
        s.sde_id,
        -- The source prefix keeps a conversation and a visit with equal ids apart.
        s.source || '/'
            || CASE WHEN s.source = 'conversation' THEN s.conversation_id ELSE s.visit_id END
            AS context_key
    FROM (
        SELECT s.* FROM sde_search_content AS s
        JOIN conv_in_range AS r_c ON r_c.conversation_id = s.conversation_id
        WHERE s.source = 'conversation'
        UNION ALL
        SELECT s.* FROM sde_search_content AS s
        JOIN visit_in_range AS r_v ON r_v.visit_id = s.visit_id
        WHERE s.source = 'web_session'
    ) AS s
),
-- A keyword listed twice in one event is one search.
keyword AS (
    -- Trimmed of white space of any kind: spaces, tabs, line breaks, no-break spaces.
    SELECT DISTINCT
        s.sde_id,
        s.context_key,
        LOWER(TRIM(
            k.keyword, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13) || CHR(160)
        )) AS keyword
    FROM sde_search_content_keyword AS k
    JOIN search AS s ON s.sde_id = k.sde_id
    WHERE TRIM(k.keyword, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13) || CHR(160)) <> ''
)
SELECT
    keyword,
    COUNT(*) AS searches,
    COUNT(DISTINCT context_key) AS contexts
FROM keyword
GROUP BY keyword
ORDER BY searches DESC, keyword COLLATE "C" ASC
LIMIT :limit
