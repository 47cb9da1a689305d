import { nationalRoutes, REPORT_VIEW_OPERATIONS } from '../api/contract.ts';
import { routesWithout } from '../api/route.ts';
import { openApiDocument } from '../api/openapi.ts';
import { authConfigFromEnv, createVerifier, requireNational } from '../shared/auth.ts';
import { REPORT_OPERATIONS, reportScope } from '../reporting/access.ts';
import { reportCsv } from '../reporting/csv.ts';
import { buildReport } from '../reporting/report.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { badRequest, notFound } from '../shared/errors.ts';
import { DynamoNetworkStore } from '../adapters/dynamo-network-store.ts';
import { newAgreement } from '../domain/agreements.ts';
import { hubsDir, loadAllHubs } from '../shared/hub-config.ts';
import { fold, organisationId, queryWords } from '../domain/identity.ts';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import { httpApi } from '../shared/http.ts';
import { DEFAULT_VERSION, ReportStore } from '../reporting/store.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { NetworkCalendarStore } from '../network-calendar/store.ts';
import { networkCalendarHandlers } from '../network-calendar/routes.ts';
import { directoryNationalHandlers } from '../directory/routes.ts';
import { DynamoDirectoryIndex } from '../directory/store.ts';
import { forbidden } from '../shared/errors.ts';
import { clock } from '../shared/clock.ts';
import { surveyNationalHandlers } from '../surveys/routes.ts';

const hubs = loadAllHubs();
const directory = loadStarterOrganisations(hubsDir())
  .map((o) => ({ id: organisationId(o), name: o.name, type: o.type, ...(o.orgNumber ? { orgNumber: o.orgNumber } : {}), folded: fold(o.name) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
const store = new ReportStore(dynamo(), requireEnv('REPORT_TABLE_NAME'), hubs, process.env.REPORT_VERSION ?? DEFAULT_VERSION);
const network = new DynamoNetworkStore(dynamo(), requireEnv('NETWORK_TABLE_NAME'));

/** A network-wide organisation id: what every hub derives from the org number or name. */
function networkOrganisation(id: string | undefined) {
  if (!id || !/^org_[0-9a-f]{24}$/.test(id)) throw badRequest('Invalid request: path.organisationId', [{ path: 'path.organisationId', message: 'Not an organisation id (org_ and 24 hex digits)' }]);
  return { id, name: directory.find((o) => o.id === id)?.name ?? id };
}
// Built on the first request for it, not at start: it walks every route's schemas (a cold-start cost).
let openapi: ReturnType<typeof openApiDocument> | undefined;

const summary = (h: HubConfig) => ({ id: h.id, name: h.name, city: h.city, county: h.county, phase: h.phase, timezone: h.timezone, hostVenue: h.hostVenue });

/** The routes this function serves: every national route but the report page (functions/report-view). */
export const NATIONAL_API_ROUTES = routesWithout(nationalRoutes, ...REPORT_VIEW_OPERATIONS);

/** The national API: the hub directory, national reports and the OpenAPI document. */
export const handler = httpApi({
  service: 'national-api',
  routes: NATIONAL_API_ROUTES,
  verify: createVerifier(authConfigFromEnv()),
  authorize: (route, principal) => {
    if (REPORT_OPERATIONS.has(route.operationId)) return; // national or staff: decided by the hub asked for (reportScope)
    if (route.access === 'national') requireNational(principal);
    if (route.access === 'staff-any-hub' && !principal.national && principal.staffHubs.size === 0) throw forbidden('Only staff of a hub and national administrators may do this');
  },
  handlers: {
    listHubs: async () => ({ body: { hubs: hubs.map(summary) } }),
    getHub: async ({ params }) => {
      const hub = hubs.find((h) => h.id === params.hubId);
      if (!hub) throw notFound(`Unknown hub "${params.hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
      const { $schema: _s, estimates: _e, sources: _src, aws: _aws, ...detail } = hub;
      return { body: { ...summary(hub), ...detail } };
    },
    nationalReport: async ({ query: q, principal }) => {
      if (!principal) throw new Error('The national report route needs a caller');
      const scope = reportScope(hubs, principal, q, clock());
      const report = await buildReport(store, scope.hubs, { from: scope.from, to: scope.to, period: q.period });
      if (q.format === 'csv') {
        return { body: reportCsv(report), contentType: 'text/csv; charset=utf-8', headers: { 'content-disposition': `attachment; filename="samverkan-${q.hub ?? 'natverket'}-${q.period}-${scope.from}-${scope.to}.csv"` } };
      }
      return { body: report };
    },
    organisationDirectory: async ({ query }) => {
      const words = queryWords(query.q ?? '');
      const matches = directory.filter((o) => words.every((w) => o.folded.split(/[\s()-]+/).some((t) => t.startsWith(w))));
      return { body: { organisations: matches.map(({ folded: _f, ...o }) => o) } };
    },
    createNetworkAgreement: async ({ params, body }) => {
      const org = networkOrganisation(params.organisationId);
      const agreement = newAgreement(await network.agreementsOf(org.id), { organisationId: org.id, organisationName: org.name, ...body, scope: 'network' }, clock());
      await network.create(agreement);
      return { body: agreement };
    },
    listNetworkAgreements: async ({ params }) => {
      const org = networkOrganisation(params.organisationId);
      return { body: { agreements: (await network.agreementsOf(org.id)).sort((a, b) => b.validFrom.localeCompare(a.validFrom)) } };
    },
    openapi: async () => {
      openapi ??= openApiDocument();
      return { body: openapi };
    },
    ...networkCalendarHandlers(hubs, new NetworkCalendarStore(dynamo(), requireEnv('NETWORK_TABLE_NAME'))),
    ...directoryNationalHandlers(hubs, new DynamoDirectoryIndex(dynamo(), requireEnv('NETWORK_TABLE_NAME'))),
    ...surveyNationalHandlers(hubs.map((h) => h.id)),
  },
});
