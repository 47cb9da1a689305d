/** Stack, bus and export names shared by the CDK app, the local runtime and the docs. */
export const NATIONAL_STACK = 'samverkan-national';
export const NATIONAL_BUS_NAME = 'samverkan-national';
export const hubStackName = (hubId: string) => `samverkan-hub-${hubId}`;
export const hubBusName = (hubId: string) => `samverkan-hub-${hubId}`;
export const EXPORTS = {
  userPoolId: 'samverkan-national-UserPoolId',
  userPoolClientId: 'samverkan-national-UserPoolClientId',
  networkTableName: 'samverkan-national-NetworkTableName',
} as const;
/** Cognito group names: `staff-<hubId>` per hub, plus `national` and `researcher`. */
export const staffGroup = (hubId: string) => `staff-${hubId}`;
export const NATIONAL_GROUP = 'national';
export const RESEARCHER_GROUP = 'researcher';

/** The Kinesis Data Firehose delivery stream of one research study's table (≤ 64 characters: study ids have at most 34). */
export const researchStreamName = (studyId: string, table: string) => `research-${studyId}-${table}`;
/** The Secrets Manager secret holding a study's pseudonym key (never given to researchers). */
export const researchKeySecretName = (studyId: string) => `samverkan/research/${studyId}/pseudonym-key`;
/** The Glue database of the research datasets. */
export const RESEARCH_DATABASE = 'samverkan_research';
/** The Glue table of one study's table: `<study>__<table>`, underscores only (Athena). */
export const researchGlueTable = (studyId: string, table: string) => `${studyId.replaceAll('-', '_')}__${table}`;
/** The S3 prefix of one study's table in the research lake (`month=YYYY-MM/` partitions below it). */
export const researchPrefix = (studyId: string, table: string) => `research/${studyId}/${table}/`;
/** The Cognito group of one study's researchers (its role reads that study only). */
export const researchGroup = (studyId: string) => `research-${studyId}`;
