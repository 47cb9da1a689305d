-- Do remote public workers (employer in another municipality than the hub's) use the hubs?
-- The seed calls their number unknown (mörkertal). Per hub over the whole period, public-sector visitors only.
-- Per hub, not per hub and month: a hub with fewer than 5 people in the study in a month (a small hub,
-- or the first days of a month, as the first month of a simulation) would refuse the whole result
-- (the combination rule, docs/research.md); filter on one month (WHERE month = '2026-11') if you need one.
-- On screen: npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/remote-public-workers.sql
-- As a file: npm run research:export -- --study samverkanshubbar-i-norr --spec studies/exports/remote-public-workers.json --out remote.csv
SELECT
  hub,
  count(DISTINCT person) AS n_people,
  count(DISTINCT person) FILTER (WHERE remote_worker) AS n_remote_public_workers,
  count(DISTINCT person) FILTER (WHERE remote_worker IS NULL) AS n_unknown,
  count(*) FILTER (WHERE remote_worker) AS remote_worker_visits,
  round(avg(duration_minutes) FILTER (WHERE remote_worker)) AS remote_worker_avg_minutes
FROM visits
WHERE organisation_type IN ('state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university')
GROUP BY hub
ORDER BY hub;
