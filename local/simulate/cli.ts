/**
 * `npm run simulate -- --months 3`: realistic traffic for every hub through the real API of a
 * running local runtime (`npm start -- --simulation`), so that the national report has
 * something worth reading. See docs/local-runtime.md ("Simulation") for the options, the
 * simulation clock and the time it takes.
 *
 *   --months N | --days N   how far back from yesterday (default 3 months)
 *   --seed N                the same seed gives the same traffic (default 20261128)
 *   --volume X              people, room bookings and events scaled by X (default 0.4: about
 *                           18 people a hub; three months are ~6 600 actions, 11 minutes measured on 2 busy cores, docs/local-runtime.md)
 *   --url URL               the runtime (default http://127.0.0.1:$PORT, port 3000 as npm start)
 *   --to YYYY-MM-DD         the last simulated day (default yesterday)
 *   --quiet                 no progress bar (nor, off a terminal, the progress line every 5 %)
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import { loadAllHubs } from '../../functions/shared/hub-config.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { localDate } from '../../functions/domain/time.ts';
import { buildPlan } from './plan.ts';
import { progressLines } from './progress.ts';
import { researchSimulation } from './research.ts';
import { runPlan, simulationStatus } from './run.ts';

const DEFAULT_SEED = 20261128;

const { values } = parseArgs({
  options: {
    months: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    volume: { type: 'string' },
    url: { type: 'string' },
    to: { type: 'string' },
    quiet: { type: 'boolean' },
  },
});

const fail = (message: string): never => {
  console.error(`simulate: ${message}`);
  process.exit(2);
};
const positive = (name: string, v: string | undefined, integer = true) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) fail(`--${name} must be a positive ${integer ? 'whole ' : ''}number (got "${v}")`);
  return n;
};

const months = positive('months', values.months);
const days = positive('days', values.days);
if (months && days) fail('give --months or --days, not both');
const seed = positive('seed', values.seed) ?? DEFAULT_SEED;
const DEFAULT_VOLUME = 0.4;
const volume = positive('volume', values.volume, false) ?? DEFAULT_VOLUME;
if (values.to && !/^\d{4}-\d{2}-\d{2}$/.test(values.to)) fail('--to must be a date YYYY-MM-DD');
const to = values.to ?? addDays(localDate(new Date(), 'Europe/Stockholm'), -1);
const from = days ? addDays(to, -(days - 1)) : (() => {
  const d = new Date(`${to}T12:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - (months ?? 3));
  return addDays(d.toISOString().slice(0, 10), 1);
})();
const url = (values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');

let mailDir: string | undefined;
try {
  mailDir = (await simulationStatus(url)).mailDir;
} catch (e) {
  fail((e as Error).message);
}

const hubs = loadAllHubs('hubs');
const plan = buildPlan({ seed, from, to, hubs, organisations: loadStarterOrganisations('hubs'), volume });
const total = plan.hubs.reduce((n, h) => n + h.actions.length, 0);
console.log(`simulate: ${from} – ${to}, ${hubs.length} hubs, seed ${seed}, volume ${volume}: ${total} actions (a check-in, a booking, a registration, …) through ${url}`);

// A bar on a terminal; plain lines every 5 % where the output goes to a file or CI (cli-progress draws nothing there).
const terminal = Boolean(process.stdout.isTTY && process.stderr.isTTY);
const bar = values.quiet || !terminal ? undefined : new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} actions | {eta_formatted} left | {hub}', hideCursor: true }, Presets.shades_classic);
const lines = values.quiet || terminal ? undefined : progressLines(total, (line) => console.log(line));
bar?.start(total, 0, { hub: '' });
// Research: members consent at the desk and answer the survey invitations in the mail outbox (local/simulate/research.ts).
const research = mailDir ? researchSimulation({ seed, mailDir, hubs }) : undefined;
const result = await runPlan(plan, { url, onAction: (hub) => (bar ? bar.increment(1, { hub }) : lines?.(hub)), ...(research ? { afterDay: research.afterDay } : {}) });
bar?.stop();

const rows = Object.entries(result.tallies).map(([hub, t]) => ({
  hub,
  members: t.members,
  visits: t.checkIns,
  bookings: t.bookings,
  cancelled: t.bookingsCancelled,
  events: t.eventsPublished - t.eventsCancelled,
  registrations: t.registrations,
  attended: t.attended,
  refused: Object.values(t.refused).reduce((a, b) => a + b, 0),
}));
console.table(rows);
const refused: Record<string, number> = {};
const reasons: Record<string, string> = {};
for (const t of Object.values(result.tallies)) {
  for (const [k, n] of Object.entries(t.refused)) refused[k] = (refused[k] ?? 0) + n;
  Object.assign(reasons, t.reasons);
}
if (process.env.SIMULATE_DEBUG) console.log(reasons);
if (Object.keys(refused).length) console.log(`Refused by the API (as in real life: a full room, a full event…): ${Object.entries(refused).sort().map(([k, n]) => `${k} ×${n}`).join(', ')}`);
if (research) {
  const r = research.tally;
  console.log(`Research: ${r.consents} consents given at the desk, ${r.invitations} survey invitations received, ${r.answers} answered${Object.keys(r.refused).length ? ` (refused: ${Object.entries(r.refused).map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}.`);
}
console.log(`simulate: ${result.actions}/${total} actions, ${result.requests} API requests in ${result.seconds.toFixed(1)} s (${(result.requests / result.seconds).toFixed(0)} requests/s), of which ${result.idleSeconds.toFixed(1)} s waiting for the events to reach the national reports.`);
console.log(`
  Report (JSON)  ${url}/api/national/reports?from=${from}&to=${to}&period=week
  Report (CSV)   ${url}/api/national/reports?from=${from}&to=${to}&period=month&format=csv
  Report (HTML)  ${url}/api/national/reports/view?from=${from}&to=${to}&period=week
  (with a national token: npm run --silent token -- --role national)
  Research       npm run research:query -- --study samverkanshubbar-i-norr --file studies/queries/wellbeing-by-remote-work.sql
  (as a file)    npm run research:export -- --study samverkanshubbar-i-norr --spec studies/exports/wellbeing-by-remote-work.json --out who5.csv
`);
