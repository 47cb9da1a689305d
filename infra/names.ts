/**
 * Stack, bus and export names shared by the CDK app, the local runtime and the docs.
 *
 * Every physical name carries the stage (`-c stage=dev`), so that several stages can share one
 * account: stage `prod` (the default) keeps the plain names (`samverkan-national`,
 * `samverkan-hub-umea`); any other stage inserts itself after the project
 * (`samverkan-dev-national`, `samverkan-dev-hub-umea`).
 */
export const DEFAULT_STAGE = 'prod';

/** Stage names: lower-case letters and digits, starting with a letter, at most 10 characters. */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{0,9}$/;

/** The names of one stage. */
export function stageNames(stage: string = DEFAULT_STAGE) {
  if (!STAGE_PATTERN.test(stage)) throw new Error(`Stage "${stage}" is not valid: use 1–10 lower-case letters or digits, starting with a letter (e.g. -c stage=dev)`);
  const p = stage === DEFAULT_STAGE ? 'samverkan' : `samverkan-${stage}`;
  return {
    stage,
    prefix: p,
    nationalStack: `${p}-national`,
    nationalBus: `${p}-national`,
    nationalArchive: `${p}-national-all`,
    nationalApi: `${p}-national`,
    userPool: p,
    researchWorkGroup: `${p}-research`,
    researchDatabase: `${p.replace(/-/g, '_')}_research`,
    alarmTopic: `${p}-alarms`,
    nationalDashboard: `${p}-national`,
    hubStack: (hubId: string) => `${p}-hub-${hubId}`,
    hubBus: (hubId: string) => `${p}-hub-${hubId}`,
    hubApi: (hubId: string) => `${p}-hub-${hubId}`,
    hubPipe: (hubId: string) => `${p}-hub-${hubId}-outbox`,
    hubDashboard: (hubId: string) => `${p}-hub-${hubId}`,
    exports: {
      userPoolId: `${p}-national-UserPoolId`,
      userPoolClientId: `${p}-national-UserPoolClientId`,
      networkTableName: `${p}-national-NetworkTableName`,
      networkTableArn: `${p}-national-NetworkTableArn`,
      networkKeyArn: `${p}-national-NetworkKeyArn`,
      webUrl: `${p}-national-WebUrl`,
    },
  };
}
export type StageNames = ReturnType<typeof stageNames>;

const prod = stageNames(DEFAULT_STAGE);
/** The names of the default stage (`prod`). */
export const NATIONAL_STACK = prod.nationalStack;
export const NATIONAL_BUS_NAME = prod.nationalBus;
export const hubStackName = prod.hubStack;
export const hubBusName = prod.hubBus;
export const EXPORTS = prod.exports;
/** Cognito group names: `staff-<hubId>` per hub, plus `national` and `researcher`. */
export const staffGroup = (hubId: string) => `staff-${hubId}`;
export const NATIONAL_GROUP = 'national';
export const RESEARCHER_GROUP = 'researcher';

/** The name prefix of a stage: `samverkan` for `prod`, `samverkan-<stage>` otherwise. */
const stagePrefix = (stage: string = DEFAULT_STAGE) => stageNames(stage).prefix;
/**
 * The Kinesis Data Firehose delivery stream of one research study's table, in a stage
 * (`samverkan[-<stage>]-<study>-<table>`). Firehose allows 64 characters: a longer name (a long
 * study id in a long stage) is refused at synth by `infra/research.ts`, naming the study.
 */
export const researchStreamName = (studyId: string, table: string, stage: string = DEFAULT_STAGE) => `${stagePrefix(stage)}-${studyId}-${table}`;
/** The Secrets Manager secret holding a study's pseudonym key in a stage (never given to researchers). */
export const researchKeySecretName = (studyId: string, stage: string = DEFAULT_STAGE) => `${stagePrefix(stage)}/research/${studyId}/pseudonym-key`;
/** The Athena workgroup of one study in a stage. */
export const researchWorkGroupName = (studyId: string, stage: string = DEFAULT_STAGE) => `${stagePrefix(stage)}-research-${studyId}`;
/** The Glue database of the research datasets. */
export const RESEARCH_DATABASE = 'samverkan_research';
/** The Glue table of one study's table: `<study>__<table>`, underscores only (Athena). */
export const researchGlueTable = (studyId: string, table: string) => `${studyId.replaceAll('-', '_')}__${table}`;
/** The S3 prefix of one study's table in the research lake (`month=YYYY-MM/` partitions below it). */
export const researchPrefix = (studyId: string, table: string) => `research/${studyId}/${table}/`;
/** The Cognito group of one study's researchers (its role reads that study only). */
export const researchGroup = (studyId: string) => `research-${studyId}`;
