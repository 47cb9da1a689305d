import { nationalRoutes } from '../api/contract.ts';
import { openApiDocument } from '../api/openapi.ts';
import { authConfigFromEnv, createVerifier, requireNational } from '../shared/auth.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { badRequest, notFound } from '../shared/errors.ts';
import { DynamoNetworkStore } from '../adapters/dynamo-network-store.ts';
import { newAgreement } from '../domain/agreements.ts';
import { hubsDir, loadAllHubs } from '../shared/hub-config.ts';
import { fold, organisationId, queryWords } from '../domain/identity.ts';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import { httpApi } from '../shared/http.ts';
import { ReportStore } from '../reporting/store.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { NetworkCalendarStore } from '../network-calendar/store.ts';
import { networkCalendarHandlers } from '../network-calendar/routes.ts';

const hubs = loadAllHubs();
const directory = loadStarterOrganisations(hubsDir())
  .map((o) => ({ id: organisationId(o), name: o.name, type: o.type, ...(o.orgNumber ? { orgNumber: o.orgNumber } : {}), folded: fold(o.name) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
const store = new ReportStore(dynamo(), requireEnv('REPORT_TABLE_NAME'));
const network = new DynamoNetworkStore(dynamo(), requireEnv('NETWORK_TABLE_NAME'));

/** A network-wide organisation id: what every hub derives from the org number or name. */
function networkOrganisation(id: string | undefined) {
  if (!id || !/^org_[0-9a-f]{24}$/.test(id)) throw badRequest('Invalid request: path.organisationId', [{ path: 'path.organisationId', message: 'Not an organisation id (org_ and 24 hex digits)' }]);
  return { id, name: directory.find((o) => o.id === id)?.name ?? id };
}
const openapi = openApiDocument();

const summary = (h: HubConfig) => ({ id: h.id, name: h.name, city: h.city, county: h.county, phase: h.phase, timezone: h.timezone, hostVenue: h.hostVenue });

/** The national API: the hub directory, national reports and the OpenAPI document. */
export const handler = httpApi({
  service: 'national-api',
  routes: nationalRoutes,
  verify: createVerifier(authConfigFromEnv()),
  authorize: (route, principal) => {
    if (route.access === 'national') requireNational(principal);
  },
  handlers: {
    listHubs: async () => ({ body: { hubs: hubs.map(summary) } }),
    getHub: async ({ params }) => {
      const hub = hubs.find((h) => h.id === params.hubId);
      if (!hub) throw notFound(`Unknown hub "${params.hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
      const { $schema: _s, estimates: _e, sources: _src, aws: _aws, ...detail } = hub;
      return { body: { ...summary(hub), ...detail } };
    },
    nationalReport: async ({ query: q }) => {
      if (q.hub && !hubs.some((h) => h.id === q.hub)) throw notFound(`Unknown hub "${q.hub}"`, [{ path: 'query.hub', message: 'Unknown hub' }]);
      const selected = hubs.filter((h) => !q.hub || h.id === q.hub);
      const rows = await Promise.all(
        selected.map(async (h) => {
          const days = (await store.hubDays(h.id, q.from, q.to)).map(({ date, checkIns, organisations, businessCheckIns }) => ({ date, checkIns, organisations, businessCheckIns }));
          const sum = (f: (d: (typeof days)[number]) => number) => days.reduce((n, d) => n + f(d), 0);
          return { hubId: h.id, name: h.name, checkIns: sum((d) => d.checkIns), businessCheckIns: sum((d) => d.businessCheckIns), days };
        }),
      );
      const totals = { checkIns: rows.reduce((n, r) => n + r.checkIns, 0), businessCheckIns: rows.reduce((n, r) => n + r.businessCheckIns, 0) };
      return { body: { from: q.from, to: q.to, hubs: rows, totals } };
    },
    organisationDirectory: async ({ query }) => {
      const words = queryWords(query.q ?? '');
      const matches = directory.filter((o) => words.every((w) => o.folded.split(/[\s()-]+/).some((t) => t.startsWith(w))));
      return { body: { organisations: matches.map(({ folded: _f, ...o }) => o) } };
    },
    createNetworkAgreement: async ({ params, body }) => {
      const org = networkOrganisation(params.organisationId);
      const agreement = newAgreement(await network.agreementsOf(org.id), { organisationId: org.id, organisationName: org.name, ...body, scope: 'network' }, new Date());
      await network.create(agreement);
      return { body: agreement };
    },
    listNetworkAgreements: async ({ params }) => {
      const org = networkOrganisation(params.organisationId);
      return { body: { agreements: (await network.agreementsOf(org.id)).sort((a, b) => b.validFrom.localeCompare(a.validFrom)) } };
    },
    openapi: async () => ({ body: openapi }),
    ...networkCalendarHandlers(hubs, new NetworkCalendarStore(dynamo(), requireEnv('NETWORK_TABLE_NAME'))),
  },
});
