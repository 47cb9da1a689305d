import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '../../events/catalog.ts';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { DynamoConsentStore } from '../consent/dynamo-consent-store.ts';
import { localDate } from '../domain/time.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { clock } from '../shared/clock.ts';
import { loadHub } from '../shared/hub-config.ts';
import { createMailer } from '../shared/mail.ts';
import { traced } from '../shared/observability.ts';
import { loadAllStudies } from '../shared/study-config.ts';
import { DynamoSurveyStore } from './dynamo-survey-store.ts';
import { SurveyService, type TriggerEvent } from './surveys.ts';

const hub = loadHub(requireEnv('HUB_ID'));
const logger = new Logger({ serviceName: `survey-inviter-${hub.id}` });
const table = requireEnv('HUB_TABLE_NAME');
const surveys = new SurveyService(hub, loadAllStudies(), new DynamoSurveyStore(dynamo(), table), new DynamoConsentStore(dynamo(), table), new DynamoHubStore(dynamo(), table), clock);
const send = createMailer();
/** Where links in e-mails point (the one origin serving the API and the pages). */
const publicUrl = (process.env.PUBLIC_BASE_URL ?? 'https://samverkan.se').replace(/\/$/, '');

/** The trigger of a bus event: a visit that ended, or a member who attended an event. */
function triggerOf(event: EventBridgeEvent<string, unknown>): TriggerEvent | undefined {
  if (event['detail-type'] === 'CheckedOut') {
    const { metadata, data } = parseDetail('CheckedOut', event.detail);
    if (data.hubId !== hub.id) throw new Error(`CheckedOut of hub ${data.hubId} reached the survey inviter of ${hub.id}`);
    return { eventId: metadata.eventId, kind: 'visit', memberId: data.memberId, subjectId: data.visitId, date: data.localDate, at: metadata.occurredAt, correlationId: metadata.correlationId };
  }
  if (event['detail-type'] === 'EventAttended') {
    const { metadata, data } = parseDetail('EventAttended', event.detail);
    if (data.hubId !== hub.id) throw new Error(`EventAttended of hub ${data.hubId} reached the survey inviter of ${hub.id}`);
    if (!data.memberId) return undefined; // a public registrant: never in a study
    return { eventId: metadata.eventId, kind: 'event', memberId: data.memberId, subjectId: data.eventId, date: localDate(new Date(data.attendedAt), hub.timezone), at: metadata.occurredAt, correlationId: metadata.correlationId };
  }
  throw new Error(`Unexpected detail-type ${event['detail-type']}`);
}

/**
 * Hub consumer that invites consenting members to the surveys of the studies following the hub,
 * after a visit (CheckedOut) or an attended event (EventAttended): sampled, rate-limited, once
 * per trigger and study (idempotent on eventId). The e-mail address never leaves the hub.
 * Failures are thrown, so the delivery is retried and then dead-lettered.
 */
async function run(event: EventBridgeEvent<string, unknown>): Promise<Record<string, string>> {
  const trigger = triggerOf(event);
  if (!trigger) return {};
  const outcome = await surveys.invite(trigger, send, publicUrl);
  logger.info('Survey invitations', { trigger: trigger.kind, eventId: trigger.eventId, outcome });
  return outcome;
}

/** The function's entry point, traced. */
export const handler = traced(run);
