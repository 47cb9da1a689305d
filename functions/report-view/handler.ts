import { nationalRoutes, REPORT_VIEW_OPERATIONS } from '../api/contract.ts';
import { routesWith } from '../api/route.ts';
import { reportScope } from '../reporting/access.ts';
import { buildReport } from '../reporting/report.ts';
import { DEFAULT_VERSION, ReportStore } from '../reporting/store.ts';
import { REPORT_PAGE_HEADERS, reportHtml } from '../reporting/view.ts';
import { authConfigFromEnv, createVerifier } from '../shared/auth.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { clock } from '../shared/clock.ts';
import { loadAllHubs } from '../shared/hub-config.ts';
import { httpApi } from '../shared/http.ts';

/** The routes this function serves: the national report as a printable page. */
export const REPORT_VIEW_ROUTES = routesWith(nationalRoutes, ...REPORT_VIEW_OPERATIONS);

const hubs = loadAllHubs();
const store = new ReportStore(dynamo(), requireEnv('REPORT_TABLE_NAME'), hubs, process.env.REPORT_VERSION ?? DEFAULT_VERSION);

/**
 * The national report page (server-rendered SVG charts). Its own function because only it needs
 * Vega and Vega-Lite (about 750 KB of the bundle): the national API's other routes start without them.
 * Who may see which hub is decided as for the JSON report (`reportScope`).
 */
export const handler = httpApi({
  service: 'report-view',
  routes: REPORT_VIEW_ROUTES,
  verify: createVerifier(authConfigFromEnv()),
  handlers: {
    reportView: async ({ query: q, principal }) => {
      if (!principal) throw new Error('The report view route needs a caller');
      const scope = reportScope(hubs, principal, q, clock());
      const report = await buildReport(store, scope.hubs, { from: scope.from, to: scope.to, period: q.period });
      return { body: await reportHtml(report), contentType: 'text/html; charset=utf-8', headers: REPORT_PAGE_HEADERS };
    },
  },
});
