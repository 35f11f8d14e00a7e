-- bot_intents
-- question: What do bots recognise?
-- param start (date, default none): first UTC day, inclusive; an intent is in range by its conversation's start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column intent_id: intent id of a bot response (message contextData.structuredMetadata)
-- column occurrences: times the intent was recognised
-- column avg_confidence_score: mean confidence score (2 decimals)
-- order: occurrences desc, then intent_id (NULL last)
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv_in_range AS (
    SELECT c.conversation_id
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
)
SELECT
    i.intent_id,
    COUNT(*) AS occurrences,
    -- The mean of the scores' decimal values (PostgreSQL's cast of a double to a decimal
    -- keeps 15 digits, and its AVG of doubles fails beyond ~1e154); a score of 1e15 or
    -- more (no real score) is averaged as a double.
    CASE
        WHEN MAX(ABS(i.confidence_score)) < 1e15
        THEN CAST(ROUND(CAST(
            SUM(CAST(CAST(
                CASE WHEN ABS(i.confidence_score) < 1e15 THEN i.confidence_score END
                AS VARCHAR) AS DECIMAL(38, 10)))
                / COUNT(i.confidence_score)
            AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION)
        ELSE SUM(i.confidence_score) / COUNT(i.confidence_score)
    END AS avg_confidence_score
FROM message_intent AS i
JOIN conv_in_range AS c ON c.conversation_id = i.conversation_id
GROUP BY i.intent_id
ORDER BY occurrences DESC, intent_id COLLATE "C" ASC NULLS LAST
