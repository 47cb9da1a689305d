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
