import { Logger } from '@aws-lambda-powertools/logger';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '../../events/catalog.ts';
import { EventBridgeEnvelope } from '../../events/envelope.ts';
import { researchKeySecretName, researchStreamName } from '../../infra/names.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { loadAllHubs } from '../shared/hub-config.ts';
import { loadAllStudies } from '../shared/study-config.ts';
import { DynamoResearchState } from './dynamo-state.ts';
import { FirehoseSink } from './firehose-sink.ts';
import { FileStudyKeys, SecretsManagerStudyKeys } from './keys.ts';
import { RESEARCH_CONSUMED, ResearchProjection, type ResearchEvent } from './project.ts';

const logger = new Logger({ serviceName: 'research' });
// The stage the stack was deployed as (`-c stage=…`): the study's streams and key secret carry it.
const stage = process.env.SAMVERKAN_STAGE || undefined;
// Locally the keys are files under .data/ (RESEARCH_KEY_DIR); on AWS one secret per study.
const keys = process.env.RESEARCH_KEY_DIR ? new FileStudyKeys(process.env.RESEARCH_KEY_DIR) : new SecretsManagerStudyKeys(new SecretsManagerClient({}), (studyId) => researchKeySecretName(studyId, stage));
const projection = new ResearchProjection(
  loadAllHubs(),
  loadAllStudies(),
  keys,
  new DynamoResearchState(dynamo(), requireEnv('RESEARCH_STATE_TABLE_NAME')),
  new FirehoseSink(new FirehoseClient({ maxAttempts: 5 }), (studyId, table) => researchStreamName(studyId, table, stage)),
);

/**
 * National consumer of the research datasets: validates the envelope and the detail against the
 * catalog, then writes each active study's rows once per eventId (docs/research.md). Failures are
 * thrown, so EventBridge retries and then dead-letters.
 */
export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ duplicate: boolean; rows: number }> {
  const envelope = EventBridgeEnvelope.parse(event);
  const type = envelope['detail-type'] as ResearchEvent;
  if (!(RESEARCH_CONSUMED as readonly string[]).includes(type)) throw new Error(`Unexpected detail-type ${type}`);
  const detail = parseDetail(type, event.detail);
  const result = await projection.apply(type, detail as never);
  logger.info(result.duplicate ? 'Duplicate delivery ignored' : 'Applied event', { eventId: detail.metadata.eventId, detailType: type, rows: result.rows });
  return result;
}
