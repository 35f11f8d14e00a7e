-- visits_by_geo
-- question: Where do visitors come from?
-- param start (date, default none): first UTC day, inclusive; a visit is in range by its session start time (else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- column country_code: country code of the visit (NULL when unknown)
-- column country: country name of the visit (NULL when unknown)
-- column visits: visits
-- column visitors: distinct visitor ids
-- order: visits desc, then country_code, then country (NULL last)
-- An empty country or code (or only white space: spaces, tabs, line breaks, no-break spaces)
-- is unknown too.
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
visit AS (
    SELECT
        NULLIF(
            TRIM(w.country_code, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13) || CHR(160)), ''
        ) AS country_code,
        NULLIF(
            TRIM(w.country, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13) || CHR(160)), ''
        ) AS country,
        w.visitor_id
    FROM web_session AS w
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) >= b.start_ts)
      AND (b.end_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) < b.end_ts)
)
SELECT
    country_code,
    country,
    COUNT(*) AS visits,
    COUNT(DISTINCT visitor_id) AS visitors
FROM visit
GROUP BY country_code, country
ORDER BY visits DESC, country_code COLLATE "C" ASC NULLS LAST, country COLLATE "C" ASC NULLS LAST
