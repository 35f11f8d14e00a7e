-- survey_answers
-- question: What do post-conversation surveys say?
-- param start (date, default none): first UTC day, inclusive; a survey is in range by its conversation's start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column survey_type: survey type (Satisfaction, ...)
-- column question: survey question
-- column answer: the consumer's answer
-- column responses: answers given to that question
-- column share_pct: share of the responses to that question (same survey type), 0-100 (2 decimals)
-- order: survey_type, then question, then responses desc, then answer (NULL last)
-- A survey without answers (a row with a NULL question) is left out.
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv_in_range AS (
    SELECT c.conversation_id
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
answers AS (
    SELECT s.survey_type, s.question, s.answer
    FROM survey_answer AS s
    JOIN conv_in_range AS c ON c.conversation_id = s.conversation_id
    WHERE s.question IS NOT NULL
)
SELECT
    survey_type,
    question,
    answer,
    COUNT(*) AS responses,
    CAST(ROUND(CAST(
        100.0 * COUNT(*) / SUM(COUNT(*)) OVER (PARTITION BY survey_type, question)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS share_pct
FROM answers
GROUP BY survey_type, question, answer
ORDER BY
    survey_type COLLATE "C" ASC NULLS LAST,
    question COLLATE "C" ASC,
    responses DESC,
    answer COLLATE "C" ASC NULLS LAST
