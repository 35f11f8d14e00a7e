-- csat_by_agent
-- question: How satisfied are consumers with each agent?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column agent_id: the conversation's latest agent id (latestAgentId)
-- column agent_name: the agent's latestAgentFullName in their most recent conversation in range that has one
-- column conversations: conversations whose latest agent is this agent
-- column rated: of those, conversations with a non-null csatRate
-- column avg_csat: mean csatRate of the rated conversations (2 decimals)
-- column csat_top2_pct: share of the rated conversations with csatRate 4 or 5, 0-100 (NULL when none is rated)
-- order: conversations desc, then agent_id
-- Conversations without a latest agent id belong to no agent and are left out.
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
conv AS (
    SELECT c.conversation_id, c.start_time, c.latest_agent_id, c.latest_agent_full_name, c.csat_rate
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE c.latest_agent_id IS NOT NULL
      AND (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
-- An agent's name can change between conversations: the most recent one wins.
agent_name AS (
    SELECT
        latest_agent_id,
        latest_agent_full_name,
        ROW_NUMBER() OVER (
            PARTITION BY latest_agent_id
            ORDER BY start_time DESC NULLS LAST, conversation_id COLLATE "C" DESC
        ) AS rn
    FROM conv
    WHERE latest_agent_full_name IS NOT NULL
)
SELECT
    c.latest_agent_id AS agent_id,
    n.latest_agent_full_name AS agent_name,
    COUNT(*) AS conversations,
    COUNT(c.csat_rate) AS rated,
    CAST(ROUND(CAST(AVG(c.csat_rate) AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS avg_csat,
    CAST(ROUND(CAST(
        100.0 * COUNT(CASE WHEN c.csat_rate >= 4 THEN 1 END) / NULLIF(COUNT(c.csat_rate), 0)
    AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION) AS csat_top2_pct
FROM conv AS c
LEFT JOIN agent_name AS n ON n.latest_agent_id = c.latest_agent_id AND n.rn = 1
GROUP BY c.latest_agent_id, n.latest_agent_full_name
ORDER BY conversations DESC, c.latest_agent_id COLLATE "C" ASC
