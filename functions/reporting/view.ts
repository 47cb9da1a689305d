import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Locale } from 'vega';
import type { PublishedMeasures, Report } from './report.ts';

/**
 * The page's own CSP: its styles are inline, its charts inline SVG; it loads and runs nothing
 * (the one origin's default API CSP, infra/security-headers.ts, would refuse the inline styles).
 */
export const REPORT_PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

const TYPE_LABELS: Record<string, string> = {
  'state-agency': 'Statlig myndighet / State agency',
  municipality: 'Kommun / Municipality',
  region: 'Region',
  'county-board': 'Länsstyrelse / County board',
  'public-company': 'Offentligt bolag / Public company',
  university: 'Lärosäte / University',
  business: 'Näringsliv / Business',
  other: 'Övrigt / Other',
};

const esc = (s: unknown) => String(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const num = (v: number | string | null) => (v === null ? '–' : typeof v === 'number' ? v.toLocaleString('sv-SE') : v);
const pct = (v: number | string | null) => (v === null ? '–' : typeof v === 'number' ? `${(v * 100).toLocaleString('sv-SE', { maximumFractionDigits: 1 })} %` : v);

/**
 * Swedish number and time formats for the charts (d3's sv-SE definitions), so that axis labels
 * (month and weekday names, decimal commas) are in the page's language, not Vega's English default.
 */
export const SWEDISH: Locale = {
  // Swedish writes a space before the percent sign ("12,5 %"), a non-breaking one so it stays with the number.
  number: { decimal: ',', thousands: '\u00a0', grouping: [3], currency: ['', ' kr'], percent: '\u00a0%' } as Locale['number'],
  time: {
    dateTime: '%A den %d %B %Y %X',
    date: '%Y-%m-%d',
    time: '%H:%M:%S',
    periods: ['fm', 'em'],
    days: ['söndag', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag'],
    shortDays: ['sön', 'mån', 'tis', 'ons', 'tor', 'fre', 'lör'],
    months: ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'],
    shortMonths: ['jan', 'feb', 'mars', 'apr', 'maj', 'juni', 'juli', 'aug', 'sep', 'okt', 'nov', 'dec'],
  },
};

/** The report's period in Swedish and English, for chart titles. */
const PERIOD_LABELS: Record<Report['period'], string> = { day: 'dag / day', week: 'vecka / week', month: 'månad / month', quarter: 'kvartal / quarter', year: 'år / year' };

/**
 * The time axis per period, day before month as Swedish writes it, one tick per period (Vega's
 * default wrote "okt 28, 2026" and put day ticks on a week chart).
 */
const TIME_AXIS: Record<Report['period'], { format: string; tickCount?: { interval: 'week' | 'month' | 'year'; step: number } }> = {
  day: { format: '%-d %b' },
  week: { format: '%-d %b', tickCount: { interval: 'week', step: 1 } },
  month: { format: '%B %Y', tickCount: { interval: 'month', step: 1 } },
  quarter: { format: '%b %Y', tickCount: { interval: 'month', step: 3 } },
  year: { format: '%Y', tickCount: { interval: 'year', step: 1 } },
};

/** Renders a Vega-Lite spec to an SVG string on the server (no browser, no CDN). */
export async function svg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A share as Swedish writes it: at most one decimal, a decimal comma, a space before the sign ("12,5 %", "100 %"). */
export const SHARE_FORMAT = '.1~%';

/**
 * What every chart shares. Labels are never cut: Vega's default cuts legend labels at 160 px and
 * axis labels at 180 px with an ellipsis, which cut long hub names and the Swedish / English
 * organisation types (`labelLimit: 0` is no limit).
 */
const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 620,
  config: { font: 'sans-serif', view: { stroke: null }, locale: SWEDISH, legend: { labelLimit: 0, titleLimit: 0 }, axis: { labelLimit: 0, titleLimit: 0 } },
} as const;

/**
 * A chart, or a short note in its place when it would show no number: every cell withheld
 * (`"<5"`, `".."`) or nothing to draw. An empty frame read as "none", which is not what it means.
 */
async function chartOrNote(values: Array<Record<string, unknown>>, field: string, spec: () => TopLevelSpec, suppressed: boolean, see: [string, string] = ['se tabellen', 'see the table']): Promise<string> {
  if (values.some((v) => typeof v[field] === 'number' && (v[field] as number) > 0)) return `<figure>${await svg(spec())}</figure>`;
  return suppressed
    ? `<p class="note empty">Diagrammet visas inte: alla värden är färre än 5 personer eller undanhållna (${see[0]}). <span class="en">No chart: every value is below 5 people or withheld (${see[1]}).</span></p>`
    : '<p class="note empty">Inget att visa för perioden. <span class="en">Nothing to show for the period.</span></p>';
}

function rowsTable(report: Report, pick: (m: PublishedMeasures) => (string | number | null)[], headers: string[]): string {
  const rows = [...report.hubs.map((h) => [h.name, ...pick(h.total)]), ['Nätverket / The network', ...pick(report.network.total)]];
  return `<table><thead><tr><th>Hubb / Hub</th>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/**
 * The national report as one static, printable HTML page (A4, a page break before each
 * section), Swedish with English, charts drawn by Vega-Lite as inline SVG: it loads nothing
 * from anywhere and reads offline.
 */
export async function reportHtml(report: Report, generatedAt = new Date()): Promise<string> {
  // A withheld count ("..", where the unique visitors are not shown) is a gap in the line, not a point.
  const periods = report.hubs.flatMap((h) => h.periods.map((p) => ({ hub: h.name, period: p.from, visits: p.measures.visits })));
  const series = periods.filter((r) => typeof r.visits === 'number');
  const visitsChart = await chartOrNote(series, 'visits', () => ({
    ...base,
    height: 260,
    data: { values: series },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'period', type: 'temporal', title: `Period: ${PERIOD_LABELS[report.period]}`, axis: TIME_AXIS[report.period] },
      y: { field: 'visits', type: 'quantitative', title: 'Besök / Visits' },
      color: { field: 'hub', type: 'nominal', title: 'Hubb / Hub' },
    },
  }), periods.some((r) => typeof r.visits !== 'number'));
  const total = report.network.total;
  const cells = Object.entries({ ...total.membersByOrgType })
    .map(([type, n]) => ({ type: TYPE_LABELS[type] ?? type, group: 'Medlemmar / Members', n }))
    .concat(Object.entries(total.guestsByOrgType).map(([type, n]) => ({ type: TYPE_LABELS[type] ?? type, group: 'Gäster / Guests', n })));
  const people = cells.filter((r): r is { type: string; group: string; n: number } => typeof r.n === 'number');
  const sectorChart = await chartOrNote(people, 'n', () => ({
    ...base,
    height: 200,
    data: { values: people },
    mark: 'bar',
    encoding: {
      y: { field: 'type', type: 'nominal', title: null, sort: '-x' },
      x: { field: 'n', type: 'quantitative', title: 'Personer / People', stack: true },
      color: { field: 'group', type: 'nominal', title: null },
    },
  }), cells.some((r) => typeof r.n !== 'number'), ['per typ i CSV-filen', 'by type in the CSV file']);
  const types = Object.keys(TYPE_LABELS);
  const matrix = types.flatMap((a) =>
    types.map((b) => {
      const n = total.coPresence.byTypePair[a <= b ? `${a}×${b}` : `${b}×${a}`] ?? 0;
      return { a: TYPE_LABELS[a], b: TYPE_LABELS[b], n: typeof n === 'number' ? n : null };
    }),
  );
  const matrixChart = await chartOrNote(matrix, 'n', () => ({
    ...base,
    width: 420,
    height: 420,
    data: { values: matrix },
    encoding: {
      x: { field: 'a', type: 'nominal', title: null, sort: null, axis: { labelAngle: -40 } },
      y: { field: 'b', type: 'nominal', title: null, sort: null },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'n', type: 'quantitative', title: 'Par-dagar / Pair-days', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'n', type: 'quantitative' } } },
    ],
  }), matrix.some((r) => r.n === null));
  const utilisation = report.hubs.flatMap((h) => [
    { hub: h.name, kind: 'Skrivplatser / Desks', value: h.total.utilisation.desk ?? 0 },
    { hub: h.name, kind: 'Rum / Rooms', value: h.total.utilisation.room ?? 0 },
  ]);
  const utilisationChart = await chartOrNote(utilisation, 'value', () => ({
    ...base,
    height: 220,
    data: { values: utilisation },
    encoding: {
      y: { field: 'hub', type: 'nominal', title: null },
      yOffset: { field: 'kind' },
      x: { field: 'value', type: 'quantitative', title: 'Beläggning / Utilisation', axis: { format: SHARE_FORMAT } },
      color: { field: 'kind', type: 'nominal', title: null },
      tooltip: [
        { field: 'hub', type: 'nominal', title: 'Hubb / Hub' },
        { field: 'value', type: 'quantitative', title: 'Beläggning / Utilisation', format: SHARE_FORMAT },
      ],
    },
    layer: [{ mark: 'bar' }, { mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 }, encoding: { text: { field: 'value', type: 'quantitative', format: SHARE_FORMAT } } }],
  }), false);

  const KIND_LABELS: Record<string, string> = {
    workshop: 'Workshop',
    training: 'Utbildning / Training',
    'network-meeting': 'Nätverksträff / Network meeting',
    'business-joint': 'Med näringslivet / Business joint',
    'agency-office-hours': 'Myndighetsträffar / Agency office hours',
    other: 'Övrigt / Other',
  };
  const eventsByKind = report.hubs.flatMap((h) => Object.entries(h.total.events.heldByKind).map(([kind, n]) => ({ hub: h.name, kind: KIND_LABELS[kind] ?? kind, n })));
  const eventsChart = await chartOrNote(eventsByKind, 'n', () => ({
    ...base,
    height: 200,
    data: { values: eventsByKind },
    mark: 'bar',
    encoding: {
      y: { field: 'hub', type: 'nominal', title: null },
      x: { field: 'n', type: 'quantitative', title: 'Genomförda evenemang / Events held', stack: true },
      color: { field: 'kind', type: 'nominal', title: 'Slag / Kind' },
    },
  }), false);

  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>Nationell rapport / National report ${esc(report.from)} – ${esc(report.to)}</title>
<style>
  @page { size: A4; margin: 15mm; }
  body { font-family: system-ui, sans-serif; color: #1a1a1a; max-width: 180mm; margin: 0 auto; font-size: 10.5pt; }
  h1 { font-size: 18pt; margin-bottom: 0; }
  h2 { font-size: 13pt; border-bottom: 1px solid #999; padding-bottom: 2pt; }
  section { break-before: page; page-break-before: always; }
  section:first-of-type { break-before: auto; page-break-before: auto; }
  figure { margin: 6pt 0; break-inside: avoid; }
  svg { max-width: 100%; height: auto; }
  table { border-collapse: collapse; width: 100%; margin: 6pt 0; break-inside: avoid; font-size: 9pt; }
  th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: right; }
  th[scope="row"], thead th:first-child { text-align: left; }
  .en { color: #555; }
  .note { font-size: 8.5pt; color: #444; }
</style>
</head>
<body>
<header>
<h1>Samverkanshubbar – nationell rapport <span class="en">/ National report</span></h1>
<p>${esc(report.from)} – ${esc(report.to)} · period: ${esc(report.period)} · ${esc(report.hubs.length)} hubbar / hubs · framtagen / generated ${esc(generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC</p>
<p class="note">Antal personer under 5 visas som "&lt;5"; ".." är ett värde som inte anges eftersom det skulle avslöja ett undertryckt värde.
<span class="en">Counts of people below 5 are shown as "&lt;5"; ".." is a number withheld because it would reveal a suppressed one.</span></p>
</header>

<section>
<h2>Användning över tid <span class="en">/ Use over time</span></h2>
${visitsChart}
${rowsTable(report, (m) => [num(m.visits), num(m.uniqueVisitors), num(m.firstTimeVisitors), num(m.returningVisitors), num(m.visitHours), num(m.organisations), num(m.newOrganisations)], ['Besök / Visits', 'Unika besökare / Unique visitors', 'Förstagång / First-time', 'Återkommande / Returning', 'Besökstimmar / Visit hours', 'Organisationer / Organisations', 'Nya organisationer / New organisations'])}
</section>

<section>
<h2>Sektorer <span class="en">/ Sector mix</span></h2>
${sectorChart}
${rowsTable(report, (m) => [num(m.businessCheckIns), num(m.registrations), num(m.remoteWorkers.publicVisitors), num(m.remoteWorkers.remote), pct(m.remoteWorkers.share)], ['Incheckningar näringsliv / Business check-ins', 'Nya medlemmar / Registrations', 'Offentligt anställda / Public-sector visitors', 'Distansarbetande / Remote public workers', 'Andel / Share'])}
<p class="note">Distansarbetande: offentligt anställda vars arbetsgivare finns i en annan kommun än hubbens (andel av dem med känd arbetsgivarkommun).
<span class="en">Remote public workers: public-sector visitors whose employer is in another municipality than the hub's (share of those whose employer municipality is known).</span></p>
</section>

<section>
<h2>Samtidig närvaro mellan organisationstyper <span class="en">/ Co-presence of organisation types</span></h2>
<p>Par av organisationer med överlappande besök i samma hubb samma dag (par-dagar), hela nätverket.
<span class="en">Pairs of organisations with overlapping visits in the same hub on the same day (pair-days), whole network.</span></p>
${matrixChart}
${rowsTable(report, (m) => [num(m.coPresence.pairDays), num(m.coPresence.distinctPairs), num(m.coPresence.bySectorPair['public×public'] ?? 0), num(m.coPresence.bySectorPair['business×public'] ?? 0)], ['Par-dagar / Pair-days', 'Olika par / Distinct pairs', 'Offentlig × offentlig / Public × public', 'Näringsliv × offentlig / Business × public'])}
</section>

<section>
<h2>Beläggning och bokningar <span class="en">/ Utilisation and bookings</span></h2>
${utilisationChart}
${rowsTable(report, (m) => [num(m.bookings.made), num(m.bookings.cancelled), num(m.bookings.noShows), pct(m.utilisation.desk), pct(m.utilisation.room), num(Math.round(Object.values(m.agencyPresenceHours).reduce((a, b) => a + b, 0) * 10) / 10)], ['Bokningar / Bookings', 'Avbokade / Cancelled', 'Uteblivna / No-shows', 'Skrivplatser / Desks', 'Rum / Rooms', 'Myndighetsnärvaro h / Agency presence h'])}
</section>

<section>
<h2>Evenemang <span class="en">/ Events</span></h2>
<p>Genomförda evenemang (ej inställda) per slag, med anmälningar, väntelista och närvaro.
<span class="en">Events held (not cancelled) by kind, with registrations, waitlist and attendance.</span></p>
${eventsChart}
${rowsTable(report, (m) => [num(m.events.held), num(m.events.cancelled), num(m.events.registrations), num(m.events.waitlisted), num(m.events.promoted), num(m.events.attended), pct(m.events.attendanceRate), num(m.events.participantsBusiness), num(m.events.participantsOtherHubs)], ['Genomförda / Held', 'Inställda / Cancelled', 'Anmälningar / Registrations', 'Väntelista / Waitlisted', 'Fick plats / Promoted', 'Deltagare / Attended', 'Närvarograd / Attendance rate', 'Från näringslivet / From business', 'Från andra hubbar / From other hubs'])}
<p class="note">Närvarograd: deltagare delat med bekräftade anmälningar (bekräftade eller flyttade från väntelistan, ej avanmälda) till genomförda evenemang.
<span class="en">Attendance rate: attendees divided by confirmed registrations (confirmed or promoted from the waitlist, not cancelled) of the events held.</span></p>
</section>
</body>
</html>
`;
}
