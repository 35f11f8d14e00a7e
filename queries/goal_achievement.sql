-- goal_achievement
-- question: Which campaign goals are met?
-- param start (date, default none): first UTC day, inclusive; an achieved goal is in range by its visit (session start time, else its earliest fact time)
-- param end (date, default none): UTC day after the last one, exclusive
-- column campaign_goal_id: campaign goal id
-- column campaign_goal_type: goal type
-- column achievements: distinct achieved-goal ids
-- column visits: distinct visits that achieved the goal
-- column metadata_kind: the goal metadata kind (e.g. ReduceAbandonmentGoalMetadata); NULL where mixed or absent
-- order: achievements desc, then campaign_goal_id, then campaign_goal_type (NULL last)
-- A goal whose rows carry one kind and also rows without a kind counts as mixed.
WITH bounds AS (
    SELECT CAST(:start AS TIMESTAMP) AS start_ts, CAST(:end AS TIMESTAMP) AS end_ts
),
visit_in_range AS (
    SELECT w.visit_id
    FROM web_session AS w
    CROSS JOIN bounds AS b
    WHERE (b.start_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) >= b.start_ts)
      AND (b.end_ts IS NULL OR COALESCE(w.session_start_time, w.first_fact_time) < b.end_ts)
)
SELECT
    g.campaign_goal_id,
    g.campaign_goal_type,
    COUNT(DISTINCT g.achieved_goal_id) AS achievements,
    COUNT(DISTINCT g.visit_id) AS visits,
    CASE
        WHEN COUNT(DISTINCT g.metadata_kind) = 1 AND COUNT(g.metadata_kind) = COUNT(*)
        THEN MIN(g.metadata_kind)
    END AS metadata_kind
FROM web_goal_achieved AS g
JOIN visit_in_range AS v ON v.visit_id = g.visit_id
GROUP BY g.campaign_goal_id, g.campaign_goal_type
ORDER BY achievements DESC, campaign_goal_id ASC NULLS LAST, campaign_goal_type ASC NULLS LAST
