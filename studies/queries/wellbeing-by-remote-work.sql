-- WHO-5 wellbeing of remote public workers (employer in another municipality than the hub's)
-- and of the others. Each answer's score = sum of its five items × 4 (0–100, WHO 1998); each
-- person counts once (their mean score), so no person dominates a cell. A person is a remote
-- worker if any of their visits says so; people without a visit row (no usage consent) are "unknown".
-- npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/wellbeing-by-remote-work.sql
WITH answers AS (
  SELECT person, answer, sum(value) * 4 AS score
  FROM survey_answers
  WHERE instrument = 'who-5'
  GROUP BY person, answer
  HAVING count(*) = 5
),
per_person AS (
  SELECT person, avg(score) AS score FROM answers GROUP BY person
),
remote AS (
  SELECT person, bool_or(remote_worker) AS remote_worker FROM visits GROUP BY person
)
SELECT
  CASE WHEN r.remote_worker THEN 'remote public worker' WHEN NOT r.remote_worker THEN 'employer in the hub municipality' ELSE 'unknown' END AS worker,
  count(DISTINCT p.person) AS n_people,
  round(avg(p.score), 1) AS who5_mean_0_100,
  round(100.0 * count(*) FILTER (WHERE p.score <= 50) / count(*), 1) AS pct_at_or_below_50,
  1.0 / count(DISTINCT p.person) AS top_share
FROM per_person p
LEFT JOIN remote r USING (person)
GROUP BY 1
ORDER BY 1;
