-- Response rate of the surveys, per trigger (after a visit or after an attended hub event):
-- invitations sent, invitations answered and the share answered. An invitation is answered when
-- its hash (`survey_invitations.invitation`) appears as `answer` in survey_answers. n_people counts
-- the people invited; top_share is the largest share of the invitations that went to one person.
-- npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/response-rate.sql
WITH answered AS (
  SELECT DISTINCT answer FROM survey_answers
),
invitations AS (
  SELECT i.trigger, i.person, a.answer IS NOT NULL AS answered
  FROM survey_invitations i
  LEFT JOIN answered a ON a.answer = i.invitation
),
per_person AS (
  SELECT trigger, person, count(*) AS n FROM invitations GROUP BY trigger, person
),
dominance AS (
  SELECT trigger, max(n) AS top, sum(n) AS total FROM per_person GROUP BY trigger
)
SELECT
  i.trigger,
  count(DISTINCT i.person) AS n_people,
  count(*) AS invitations,
  count(*) FILTER (WHERE i.answered) AS answered,
  round(100.0 * count(*) FILTER (WHERE i.answered) / count(*), 1) AS response_rate_pct,
  any_value(d.top) * 1.0 / any_value(d.total) AS top_share
FROM invitations i
JOIN dominance d USING (trigger)
GROUP BY i.trigger
ORDER BY 1;
