-- agent_workload
-- question: Who carries the load?
-- param start (date, default none): first UTC day, inclusive; a conversation is in range by its start_time
-- param end (date, default none): UTC day after the last one, exclusive
-- column agent_id: agent id of an agent participant (an entry of agentParticipants, any agent role)
-- column agent_name: the agent's full name in their most recent conversation in range that has one
-- column conversations: distinct conversations the agent joined
-- column messages_sent: messages of conversations in range whose participant id is the agent's id
-- column avg_duration_s: mean duration in seconds of the closed conversations the agent joined (2 decimals)
-- order: conversations desc, then agent_id
WITH bounds AS NOT MATERIALIZED (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
-- Not materialized: a date range reaches conversation's start_time index, and messages
-- are then read by their conversation_id index.
conv AS NOT MATERIALIZED (
    SELECT c.conversation_id, c.start_time, c.status, c.duration
    FROM conversation AS c
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR c.start_time >= b.start_ts)
      AND (b.end_ts IS NULL OR c.start_time < b.end_ts)
),
agent AS (
    SELECT
        COALESCE(p.agent_id, p.participant_id) AS agent_id,
        p.agent_full_name,
        p.conversation_id,
        c.start_time,
        p.time,
        p.ordinal
    FROM participant AS p
    JOIN conv AS c ON c.conversation_id = p.conversation_id
    WHERE p.participant_type = 'AGENT' AND COALESCE(p.agent_id, p.participant_id) IS NOT NULL
),
agent_name AS (
    SELECT
        agent_id,
        agent_full_name,
        ROW_NUMBER() OVER (
            PARTITION BY agent_id
            ORDER BY start_time DESC NULLS LAST, conversation_id COLLATE "C" DESC, time DESC NULLS LAST,
                ordinal DESC
        ) AS rn
    FROM agent
    WHERE agent_full_name IS NOT NULL
),
joined AS (
    SELECT DISTINCT agent_id, conversation_id FROM agent
),
workload AS (
    SELECT
        j.agent_id,
        COUNT(*) AS conversations,
        AVG(CASE WHEN c.status = 'CLOSE' THEN c.duration / 1000.0 END) AS avg_duration_s
    FROM joined AS j
    JOIN conv AS c ON c.conversation_id = j.conversation_id
    GROUP BY j.agent_id
),
sent AS (
    SELECT m.participant_id AS agent_id, COUNT(*) AS messages_sent
    FROM message AS m
    JOIN conv AS c ON c.conversation_id = m.conversation_id
    WHERE m.participant_id IN (SELECT agent_id FROM joined)
    GROUP BY m.participant_id
)
SELECT
    w.agent_id,
    n.agent_full_name AS agent_name,
    w.conversations,
    COALESCE(s.messages_sent, 0) AS messages_sent,
    CAST(ROUND(CAST(w.avg_duration_s AS DECIMAL(38, 10)), 2) AS DOUBLE PRECISION)
        AS avg_duration_s
FROM workload AS w
LEFT JOIN agent_name AS n ON n.agent_id = w.agent_id AND n.rn = 1
LEFT JOIN sent AS s ON s.agent_id = w.agent_id
ORDER BY w.conversations DESC, w.agent_id COLLATE "C" ASC
