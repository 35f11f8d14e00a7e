-- campaign_engagement_funnel
-- question: Do shown engagements get accepted?
-- param start (date, default none): first UTC day, inclusive; an impression is in range by its visit (session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- column campaign_id: campaign id of the impression
-- column channel: engagement channel of the impression
-- column shows: impressions of type Show
-- column accepts: impressions of type Accept
-- column closes: impressions of type Close
-- column timeouts: impressions of type Timeout
-- column acceptance_pct: accepts / shows, 0-100 (2 decimals; NULL without shows)
-- order: shows desc, then campaign_id, then channel (NULL last)
-- Impression types compare case-insensitively (and ignoring surrounding white space: spaces, tabs, line breaks, no-break spaces).
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
impression AS (
    SELECT
        i.campaign_id,
        i.engagement_channel,
        LOWER(TRIM(i.impression_type, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13) || CHR(160))) AS kind
    FROM web_impression AS i
    JOIN visit_in_range AS v ON v.visit_id = i.visit_id
)
SELECT
    campaign_id,
    engagement_channel AS channel,
    COUNT(CASE WHEN kind = 'show' THEN 1 END) AS shows,
    COUNT(CASE WHEN kind = 'accept' THEN 1 END) AS accepts,
    COUNT(CASE WHEN kind = 'close' THEN 1 END) AS closes,
    COUNT(CASE WHEN kind = 'timeout' THEN 1 END) AS timeouts,
    CAST(ROUND(CAST(
        100.0 * COUNT(CASE WHEN kind = 'accept' THEN 1 END)
            / NULLIF(COUNT(CASE WHEN kind = 'show' THEN 1 END), 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS acceptance_pct
FROM impression
GROUP BY campaign_id, engagement_channel
ORDER BY shows DESC, campaign_id ASC NULLS LAST, engagement_channel COLLATE "C" ASC NULLS LAST
