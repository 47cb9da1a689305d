import * as z from 'zod';
import { SurveyInstrument } from '../../studies/schema.ts';
import { route } from '../api/route.ts';

const Text = z.object({ sv: z.string(), en: z.string() });
const ItemId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'An item id');

/**
 * The member's answers: per instrument of the invitation, per item, a whole number (a rating on
 * the instrument's scale, or a count) or, for a multi-select item, the ids of the options chosen.
 * Item ids and option ids are the instrument's (`GET` gives them); no free text is taken.
 */
export const SurveyAnswersBody = z
  .object({
    answers: z.partialRecord(SurveyInstrument, z.record(ItemId, z.union([z.number().int('A whole number'), z.array(ItemId).max(20)]))),
  })
  .strict();

/** The survey of an invitation, for the answer page: no personal data. */
export const SurveyResponse = z.object({
  /** The member's language (the page opens in it). */
  language: z.enum(['sv', 'en']),
  hub: z.object({ id: z.string(), name: z.string() }),
  study: z.object({ id: z.string(), title: z.string(), institution: z.string() }),
  trigger: z.enum(['visit', 'event']),
  triggerDate: z.string(),
  expiresAt: z.string(),
  instruments: z.array(
    z
      .object({
        id: SurveyInstrument,
        title: Text,
        instructions: Text,
        scale: z.object({ min: z.number(), max: z.number(), anchors: z.array(z.object({ value: z.number(), label: Text })) }).optional(),
        items: z.array(z.object({ kind: z.enum(['scale', 'count', 'multi-select']), id: z.string(), text: Text }).loose()),
        citation: z.string(),
      })
      .loose(),
  ),
});

/** An answer recorded. */
export const SurveyAnsweredResponse = z.object({ id: z.string(), answeredAt: z.string() });

/** Where the survey of a token is served: `location`, the hub's route (307 with `Location`). */
export const SurveyRedirectResponse = z.object({ location: z.string() });

/** The hub API's survey routes: the invitation lives at the member's hub (docs/research.md, "Surveys"). */
export const surveyHubRoutes = [
  route({ operationId: 'hubSurvey', method: 'GET', path: '/api/hubs/{hubId}/surveys/{invitationToken}', summary: "The survey of an invitation (the private link's token), items in Swedish and English, no personal data; 404 unknown, 410 expired, answered or consent withdrawn", access: 'public', response: SurveyResponse, status: 200 }),
  route({ operationId: 'answerHubSurvey', method: 'POST', path: '/api/hubs/{hubId}/surveys/{invitationToken}/answers', summary: 'Answer the survey of an invitation once; 400 naming each missing or out-of-range item, 410 when already answered, expired or consent withdrawn', access: 'public', body: SurveyAnswersBody, response: SurveyAnsweredResponse, status: 201 }),
];

/**
 * API v1's survey routes (DESIGN.md): served by the national API, which holds no invitation. The
 * token names its hub (`<hubId>_<secret>`): they answer 307 to the hub's route (method and body
 * kept), 404 for a token of no hub.
 */
export const surveyNationalRoutes = [
  route({ operationId: 'survey', method: 'GET', path: '/api/surveys/{invitationToken}', summary: "The survey of an invitation: 307 to the member's hub (`/api/hubs/{hubId}/surveys/{invitationToken}`)", access: 'public', response: SurveyRedirectResponse, status: 200 }),
  route({ operationId: 'answerSurvey', method: 'POST', path: '/api/surveys/{invitationToken}/answers', summary: "Answer a survey invitation: 307 to the member's hub (method and body kept; `curl -L`)", access: 'public', response: SurveyRedirectResponse, status: 200 }),
];
