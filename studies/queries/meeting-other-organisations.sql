-- How often do members meet people from other organisations? (the seed: weak ties, Granovetter 1973)
-- Per hub and month: people with a co-presence pair, and those whose pair crossed organisations.
-- npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/meeting-other-organisations.sql
WITH people AS (
  SELECT hub, month, person_a AS person, cross_organisation, sector_pair FROM co_presence
  UNION ALL
  SELECT hub, month, person_b AS person, cross_organisation, sector_pair FROM co_presence
)
SELECT
  hub,
  month,
  count(DISTINCT person) AS n_people,
  count(DISTINCT person) FILTER (WHERE cross_organisation) AS n_meeting_other_organisations,
  count(*) FILTER (WHERE cross_organisation) / 2 AS cross_organisation_pairs,
  count(*) FILTER (WHERE sector_pair = 'business+public') / 2 AS business_public_pairs
FROM people
GROUP BY hub, month
ORDER BY hub, month;
