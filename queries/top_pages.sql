-- top_pages
-- question: Which pages do visitors see?
-- param start (date, default none): first UTC day, inclusive; a page view is in range by its visit (session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- param limit (int, default 20): the number of rows at most
-- column url: page URL
-- column page_views: page views of the URL
-- column visits: distinct visits that viewed the URL
-- column entries: visits whose first page view, by time, is this URL
-- order: page_views desc, then url (NULL last)
-- Page views at the same earliest time of a visit: the smallest URL is the entry.
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
visit_in_range AS (
    SELECT w.visit_id
    FROM web_session AS w
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) >= b.start_ts)
      AND (b.end_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) < b.end_ts)
),
-- One row per URL of a visit: its page views and their earliest time. The visit's first
-- page view (by time, then URL) is on the URL whose row comes first by that time, then URL.
visit_url AS (
    SELECT p.visit_id, p.url, COUNT(*) AS views, MIN(p.event_time) AS first_time
    FROM web_page_view AS p
    JOIN visit_in_range AS v ON v.visit_id = p.visit_id
    GROUP BY p.visit_id, p.url
),
ranked AS (
    SELECT
        url,
        views,
        ROW_NUMBER() OVER (
            PARTITION BY visit_id
            ORDER BY first_time ASC NULLS LAST, url COLLATE "C" ASC NULLS LAST
        ) AS position
    FROM visit_url
)
SELECT
    url,
    CAST(SUM(views) AS BIGINT) AS page_views,
    COUNT(*) AS visits,
    COUNT(CASE WHEN position = 1 THEN 1 END) AS entries
FROM ranked
GROUP BY url
ORDER BY page_views DESC, url COLLATE "C" ASC NULLS LAST
LIMIT :limit
