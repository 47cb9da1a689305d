import type { HubConfig } from '../../hubs/schema.ts';
import type { Principal } from '../shared/auth.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { localDate } from '../domain/time.ts';
import { addDays } from './periods.ts';

/** The report routes: national administrators read every hub, staff their own hub. */
export const REPORT_OPERATIONS: ReadonlySet<string> = new Set(['nationalReport', 'reportView']);

/** How many days a report covers when `from` or `to` is left out. */
export const DEFAULT_DAYS = 30;

/**
 * Which hubs and dates a caller may read: national administrators every hub (or the one
 * asked for); staff their own hub (403 for another; without `hub` the one they staff).
 * Without either, the last 30 days up to today (Stockholm); with one, the 30 days from or to it.
 */
export function reportScope(all: HubConfig[], principal: Principal, q: { from?: string; to?: string; hub?: string }, now: Date): { hubs: HubConfig[]; from: string; to: string } {
  if (q.hub && !all.some((h) => h.id === q.hub)) throw notFound(`Unknown hub "${q.hub}"`, [{ path: 'query.hub', message: 'Unknown hub' }]);
  let hubs: HubConfig[];
  if (principal.national) hubs = all.filter((h) => !q.hub || h.id === q.hub);
  else {
    const own = all.filter((h) => principal.staffHubs.has(h.id));
    if (own.length === 0) throw forbidden('Only national administrators and hub staff may read reports');
    if (q.hub && !principal.staffHubs.has(q.hub)) throw forbidden(`Staff read the reports of their own hub only, not "${q.hub}"`);
    hubs = own.filter((h) => !q.hub || h.id === q.hub);
  }
  const to = q.to ?? (q.from ? addDays(q.from, DEFAULT_DAYS - 1) : localDate(now, 'Europe/Stockholm'));
  const from = q.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  return { hubs, from, to };
}
