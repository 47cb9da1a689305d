-- Do remote public workers (employer in another municipality than the hub's) use the hubs?
-- The seed calls their number unknown (mörkertal). Per hub and month, public-sector visitors only.
-- npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/remote-public-workers.sql
SELECT
  hub,
  month,
  count(DISTINCT person) AS n_people,
  count(DISTINCT person) FILTER (WHERE remote_worker) AS n_remote_public_workers,
  count(DISTINCT person) FILTER (WHERE remote_worker IS NULL) AS n_unknown,
  count(*) FILTER (WHERE remote_worker) AS remote_worker_visits,
  round(avg(duration_minutes) FILTER (WHERE remote_worker)) AS remote_worker_avg_minutes
FROM visits
WHERE organisation_type IN ('state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university')
GROUP BY hub, month
ORDER BY hub, month;
