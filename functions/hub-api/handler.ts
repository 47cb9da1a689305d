import { hubRoutes } from '../api/contract.ts';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { HubService, type MemberInput, type OrganisationInput } from '../domain/hub.ts';
import { systemClock } from '../domain/time.ts';
import { authConfigFromEnv, createVerifier, requireStaffOf } from '../shared/auth.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { notFound } from '../shared/errors.ts';
import { loadHub } from '../shared/hub-config.ts';
import { httpApi } from '../shared/http.ts';

const hub = loadHub(requireEnv('HUB_ID'));
const service = new HubService(hub, new DynamoHubStore(dynamo(), requireEnv('HUB_TABLE_NAME')), systemClock);

/** The hub API: one function per hub serving the hub routes of API v1. */
export const handler = httpApi({
  service: `hub-api-${hub.id}`,
  routes: hubRoutes,
  verify: createVerifier(authConfigFromEnv()),
  authorize: (_route, principal, params) => {
    if (params.hubId !== hub.id) throw notFound(`Unknown hub "${params.hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
    requireStaffOf(principal, hub.id);
  },
  handlers: {
    createOrganisation: async ({ body, correlationId }) => ({ body: await service.registerOrganisation(body as OrganisationInput, correlationId) }),
    createMember: async ({ body, correlationId }) => ({ body: await service.registerMember(body as MemberInput, correlationId) }),
    checkIn: async ({ body, correlationId }) => {
      const { created, visit } = await service.checkIn(body as { memberId?: string; memberCode?: string }, correlationId);
      return { status: created ? 201 : 200, body: { ...visit, visitId: visit.id } };
    },
  },
});
