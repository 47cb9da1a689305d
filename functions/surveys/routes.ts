import { notFound } from '../shared/errors.ts';
import type { RouteHandlers } from '../shared/http.ts';
import type { surveyHubRoutes, surveyNationalRoutes } from './contract.ts';
import { hubOfToken, type SurveyService } from './surveys.ts';

/** The hub API's handlers of the survey routes. */
export function surveyHubHandlers(surveys: SurveyService): RouteHandlers<typeof surveyHubRoutes> {
  return {
    hubSurvey: async ({ params }) => ({ body: await surveys.survey(params.invitationToken) }),
    answerHubSurvey: async ({ params, body, correlationId }) => {
      const { invitationId, answeredAt } = await surveys.answer(params.invitationToken, body.answers, correlationId);
      return { body: { id: invitationId, answeredAt } };
    },
  };
}

/** The national API's survey routes: 307 to the hub the token names. */
export function surveyNationalHandlers(knownHubs: readonly string[]): RouteHandlers<typeof surveyNationalRoutes> {
  const target = (token: string, suffix: string) => {
    const hubId = hubOfToken(token);
    if (!hubId || !knownHubs.includes(hubId)) throw notFound('No such survey invitation', [{ path: 'path.invitationToken', message: 'Unknown invitation' }]);
    const location = `/api/hubs/${hubId}/surveys/${encodeURIComponent(token)}${suffix}`;
    return { status: 307, headers: { location }, body: { location } };
  };
  return {
    survey: async ({ params }) => target(params.invitationToken, ''),
    answerSurvey: async ({ params }) => target(params.invitationToken, '/answers'),
  };
}
