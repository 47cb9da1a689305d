-- Which event kinds bring business and the public sector together? Attendance per event kind.
-- npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/events-bringing-sectors-together.sql
SELECT
  kind,
  count(DISTINCT event) AS events,
  count(DISTINCT person) AS n_people,
  count(DISTINCT person) FILTER (WHERE business) AS n_business,
  count(DISTINCT person) FILTER (WHERE NOT business AND organisation_type IN ('state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university')) AS n_public,
  count(DISTINCT event) FILTER (WHERE business) AS events_with_business
FROM event_participation
WHERE action = 'attended'
GROUP BY kind
ORDER BY kind;
