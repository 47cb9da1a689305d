/**
 * The attacker of the suppression tests (test/unit/reporting-disclosure.test.ts) and of the
 * linear-programming audit (`npm run audit:disclosure`, scripts/disclosure-audit.ts).
 *
 * Can a suppressed count be undone by subtraction? Seeded random reports, every `period` and
 * every `hub` filter of the same range, and an attacker who does every subtraction at once: a
 * linear-algebra model of all the published numbers (exact arithmetic modulo a prime). A count
 * of 1–4 people (a published cell, or a part implied by two published numbers) must never lie
 * in the span of what is published. docs/reporting.md, "Small-number suppression".
 */
import highsModule from 'highs';
import type { HubConfig } from '../../hubs/schema.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { PERIODS, addDays, datesBetween } from '../../functions/reporting/periods.ts';
import { buildReport, type PublishedMeasures, type Report } from '../../functions/reporting/report.ts';
import { HUBS, event, eventRegistration, hub, hubEvent, seeded, todayLocal, visit, type CraftedEvent } from './report-events.ts';

const TYPES = ['municipality', 'state-agency', 'business'] as const;
const EVENT_PEOPLE = ['registrations', 'registrationsCancelled', 'waitlisted', 'promoted', 'confirmed', 'attended', 'participantsBusiness', 'participantsOtherHubs'] as const;

/**
 * The classes of a registration, the atoms the event counts are sums of: confirmed when made (`c`),
 * promoted from the waitlist (`p`) or still waitlisted (`w`); cancelled (`x`); attended (`a`) from a
 * business or not, from another hub or not. So the counts' identities are in the model, e.g.
 * registrations + promoted = confirmed + cancelled + waitlisted − (waitlisted and cancelled before a seat).
 */
const CLASSES = ['c', 'cx', 'ca00', 'ca01', 'ca10', 'ca11', 'p', 'px', 'pa00', 'pa01', 'pa10', 'pa11', 'w', 'wx'] as const;
const IN_COUNT: Record<(typeof EVENT_PEOPLE)[number], (k: string) => boolean> = {
  registrations: () => true,
  registrationsCancelled: (k) => k.includes('x'),
  waitlisted: (k) => k.startsWith('p') || k.startsWith('w'),
  promoted: (k) => k.startsWith('p'),
  confirmed: (k) => !k.includes('x') && !k.startsWith('w'),
  attended: (k) => k.includes('a'),
  participantsBusiness: (k) => k.includes('a1'),
  participantsOtherHubs: (k) => /a.1/.test(k),
};

/** A linear combination of unknowns (atoms), by atom index. */
type Vec = Map<number, number>;
const PRIME = 67_108_859; // < 2^26: products of two residues stay exact in a double
const mod = (n: number) => ((n % PRIME) + PRIME) % PRIME;
function inverse(a: number): number {
  let [t, newT, r, newR] = [0, 1, PRIME, mod(a)];
  while (newR !== 0) {
    const q = Math.floor(r / newR);
    [t, newT] = [newT, t - q * newT];
    [r, newR] = [newR, r - q * newR];
  }
  return mod(t);
}

/** Row-echelon basis of what the attacker knows; each row's pivot is its smallest atom. */
class Knowledge {
  private readonly rows = new Map<number, Vec>();
  private reduce(v: Vec): Vec {
    const out = new Map([...v].map(([k, c]) => [k, mod(c)] as [number, number]).filter(([, c]) => c !== 0));
    for (;;) {
      if (out.size === 0) return out;
      const lead = Math.min(...out.keys());
      const row = this.rows.get(lead);
      if (!row) return out;
      const f = out.get(lead) ?? 0;
      for (const [k, c] of row) {
        const n = mod((out.get(k) ?? 0) - f * c);
        if (n === 0) out.delete(k);
        else out.set(k, n);
      }
    }
  }
  learn(v: Vec): void {
    const r = this.reduce(v);
    if (r.size === 0) return;
    const lead = Math.min(...r.keys());
    const inv = inverse(r.get(lead) ?? 1);
    this.rows.set(lead, new Map([...r].map(([k, c]) => [k, mod(c * inv)])));
  }
  /** Whether a combination of atoms follows exactly from what is known. */
  derives(v: Vec): boolean {
    return this.reduce(v).size === 0;
  }
}

const add = (...vs: [Vec, number][]): Vec => {
  const out: Vec = new Map();
  for (const [v, f] of vs) for (const [k, c] of v) out.set(k, (out.get(k) ?? 0) + f * c);
  return out;
};

/** Seeded traffic: member registrations, first visits, hub events with registrations and attendance. */
export function traffic(seed: number, hubs: HubConfig[], from: string, to: string) {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  const events: CraftedEvent[] = [];
  // Atom values the model knows: additive counts per hub-day, and every person's visits.
  const additive = new Map<string, number>();
  const inc = (k: string, n = 1) => additive.set(k, (additive.get(k) ?? 0) + n);
  const people = new Map<string, { type: string; ms: string; mun?: string; visits: { hubId: string; date: string }[] }>();
  // Every third case has events that fill up: waitlists of 5 and more, so that promotions are 1–4 beside them.
  const waitRate = seed % 3 === 0 ? 0.6 : 0.15;
  for (const h of hubs) {
    const pool = Array.from({ length: 12 }, (_, i) => `${h.id}-p${seed}-${i}`);
    for (const id of pool) {
      const type = pick(TYPES);
      const mun = type === 'business' || random() < 0.25 ? undefined : random() < 0.5 ? h.municipalityCode : '0180';
      people.set(id, { type, ms: type === 'business' && random() < 0.5 ? 'guest' : 'member', mun, visits: [] });
    }
    for (const date of datesBetween(from, to)) {
      if (random() < 0.35) {
        const n = 1 + Math.floor(random() * 6);
        for (let i = 0; i < n; i++) {
          const type = pick(TYPES);
          events.push(event('MemberRegistered', h.id, { memberId: `mr-${seed}-${h.id}-${date}-${i}`, organisationId: `org-${type}`, organisationType: type, membership: 'member' }, `${date}T10:00:00Z`));
          inc(`reg:${type}:${h.id}:${date}`);
        }
      }
      if (random() < 0.35) {
        const n = 1 + Math.floor(random() * 4);
        for (let i = 0; i < n; i++) {
          const id = pick(pool);
          const p = people.get(id);
          if (!p || p.visits.some((v) => v.date === date && v.hubId === h.id)) continue;
          p.visits.push({ hubId: h.id, date });
          inc(`ci:${h.id}:${date}`);
          if (p.type === 'business') inc(`bci:${h.id}:${date}`);
          events.push(...visit({ hubId: h.id, date, from: '09:00', to: '11:00', memberId: id, org: `org-${p.type}`, type: p.type, membership: p.ms, employerMunicipality: p.mun }));
        }
      }
      if (random() < 0.2) {
        const eventId = `ev-${seed}-${h.id}-${date}`;
        events.push(hubEvent({ hubId: h.id, eventId, date, capacity: 20 }));
        const n = Math.floor(random() * 13);
        for (let i = 0; i < n; i++) {
          const waitlisted = random() < waitRate;
          const promoted = waitlisted && random() < 0.5;
          const cancelled = random() < 0.1;
          const attended = !cancelled && (!waitlisted || promoted) && random() < 0.75;
          const business = random() < 0.35;
          const outside = random() < 0.3;
          events.push(...eventRegistration({ hubId: h.id, eventId, status: waitlisted ? 'waitlisted' : 'confirmed', promoted, cancelled, attended, business, outside }));
          const cls = `${promoted ? 'p' : waitlisted ? 'w' : 'c'}${cancelled ? 'x' : ''}${attended ? `a${business ? 1 : 0}${outside ? 1 : 0}` : ''}`;
          inc(`ev:${cls}:${h.id}:${date}`);
        }
      }
    }
  }
  // First visits at each hub (every visit is inside the range).
  for (const p of people.values()) {
    for (const h of hubs) {
      const first = p.visits.filter((v) => v.hubId === h.id).map((v) => v.date).sort()[0];
      if (first) inc(`ft:${h.id}:${first}`);
    }
  }
  return { events, additive, people };
}

/** The attacker's model: every published number as a combination of atoms, and the atoms' true values. */
class Model {
  private readonly index = new Map<string, number>();
  readonly values: number[] = [];
  constructor(
    private readonly hubs: HubConfig[],
    private readonly t: ReturnType<typeof traffic>,
  ) {}
  /** An additive atom by its key (`ev:wx:<hub>:<date>`, …), for what the attacker is given to know. */
  atomOf(key: string): Vec {
    return this.atom(key, () => this.t.additive.get(key) ?? 0);
  }
  private atom(key: string, value: () => number): Vec {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.index.set(key, i);
      this.values.push(value());
    }
    return new Map([[i, 1]]);
  }
  value(v: Vec): number {
    let n = 0;
    for (const [k, c] of v) n += c * (this.values[k] ?? 0);
    return n;
  }
  private hubsOf = (series: string) => (series === 'network' ? this.hubs : this.hubs.filter((h) => h.id === series));
  /** A count that adds up over hub-days. */
  private additive(series: string, from: string, to: string, key: (hubId: string, date: string) => string): Vec {
    return add(...this.hubsOf(series).flatMap((h) => datesBetween(from, to).map((d): [Vec, number] => [this.atom(key(h.id, d), () => this.t.additive.get(key(h.id, d)) ?? 0), 1])));
  }
  /** A count of distinct people in a row (not additive): one atom per row and part. */
  private distinct(series: string, from: string, to: string, part: string): Vec {
    return this.atom(`row:${series}:${from}..${to}:${part}`, () => {
      const hubIds = new Set(this.hubsOf(series).map((h) => h.id));
      const inRow = [...this.t.people.values()].filter((p) => p.visits.some((v) => hubIds.has(v.hubId) && v.date >= from && v.date <= to));
      const [kind, type] = part.split(':');
      if (kind === 'members') return inRow.filter((p) => p.ms !== 'guest' && p.type === type).length;
      if (kind === 'guests') return inRow.filter((p) => p.ms === 'guest' && p.type === type).length;
      if (kind === 'first')
        return inRow.filter((p) =>
          [...hubIds].some((h) => {
            const first = p.visits.filter((v) => v.hubId === h).map((v) => v.date).sort()[0];
            return first !== undefined && first >= from && first <= to;
          }),
        ).length;
      const pub = inRow.filter((p) => p.type !== 'business');
      const remote = (p: (typeof pub)[number]) => p.mun !== undefined && p.visits.some((v) => hubIds.has(v.hubId) && v.date >= from && v.date <= to && this.hubs.find((h) => h.id === v.hubId)?.municipalityCode !== p.mun);
      if (kind === 'remote') return pub.filter(remote).length;
      if (kind === 'local') return pub.filter((p) => p.mun !== undefined && !remote(p)).length;
      if (kind === 'unknown') return pub.filter((p) => p.mun === undefined).length;
      throw new Error(part);
    });
  }
  /** Every count of people of a row, and the parts implied by two of them, as combinations of atoms. */
  row(series: string, from: string, to: string): Record<string, Vec> {
    const reg = (t: string) => this.additive(series, from, to, (h, d) => `reg:${t}:${h}:${d}`);
    const members = Object.fromEntries(TYPES.map((t) => [t, this.distinct(series, from, to, `members:${t}`)]));
    const guests = Object.fromEntries(TYPES.map((t) => [t, this.distinct(series, from, to, `guests:${t}`)]));
    const unique = add(...[...Object.values(members), ...Object.values(guests)].map((v): [Vec, number] => [v, 1]));
    const first = series === 'network' ? this.distinct(series, from, to, 'first') : this.additive(series, from, to, (h, d) => `ft:${h}:${d}`);
    const classes = Object.fromEntries(CLASSES.map((c) => [c, this.additive(series, from, to, (h, d) => `ev:${c}:${h}:${d}`)]));
    const ev = Object.fromEntries(EVENT_PEOPLE.map((k) => [k, add(...CLASSES.filter(IN_COUNT[k]).map((c): [Vec, number] => [classes[c] as Vec, 1]))]));
    const checkIns = this.additive(series, from, to, (h, d) => `ci:${h}:${d}`);
    const [remote, local, unknown] = (['remote', 'local', 'unknown'] as const).map((p) => this.distinct(series, from, to, p)) as [Vec, Vec, Vec];
    const out: Record<string, Vec> = {
      uniqueVisitors: unique,
      firstTimeVisitors: first,
      returningVisitors: add([unique, 1], [first, -1]),
      registrations: add(...TYPES.map((t): [Vec, number] => [reg(t), 1])),
      'remoteWorkers.publicVisitors': add([remote, 1], [local, 1], [unknown, 1]),
      'remoteWorkers.withMunicipality': add([remote, 1], [local, 1]),
      'remoteWorkers.remote': remote,
      // Implied parts: never published, but counts of people all the same.
      'implied.localKnown': local,
      'implied.unknownMunicipality': unknown,
      'implied.attendedNotBusiness': add([ev.attended!, 1], [ev.participantsBusiness!, -1]),
      'implied.attendedNotOtherHubs': add([ev.attended!, 1], [ev.participantsOtherHubs!, -1]),
      'implied.confirmedNotAttended': add([ev.confirmed!, 1], [ev.attended!, -1]),
      'implied.stillWaitlisted': classes.w!,
      'implied.notPromoted': add([classes.w!, 1], [classes.wx!, 1]),
      checkIns,
      visits: checkIns,
      businessCheckIns: this.additive(series, from, to, (h, d) => `bci:${h}:${d}`),
    };
    for (const t of TYPES) {
      out[`membersByOrgType.${t}`] = members[t]!;
      out[`guestsByOrgType.${t}`] = guests[t]!;
      out[`registrationsByOrgType.${t}`] = reg(t);
    }
    for (const k of EVENT_PEOPLE) out[`events.${k}`] = ev[k]!;
    return out;
  }
}

/** The published counts of people of a row, by the model's names (a type left out of a listed breakdown is 0). */
function publishedOf(m: PublishedMeasures): Record<string, number | string> {
  const out: Record<string, number | string> = {
    uniqueVisitors: m.uniqueVisitors,
    firstTimeVisitors: m.firstTimeVisitors,
    returningVisitors: m.returningVisitors,
    registrations: m.registrations,
    'remoteWorkers.publicVisitors': m.remoteWorkers.publicVisitors,
    'remoteWorkers.withMunicipality': m.remoteWorkers.withMunicipality,
    'remoteWorkers.remote': m.remoteWorkers.remote,
  };
  for (const [name, r] of [['membersByOrgType', m.membersByOrgType], ['guestsByOrgType', m.guestsByOrgType], ['registrationsByOrgType', m.registrationsByOrgType]] as const) {
    // A breakdown given with no entries at all says nothing (registrations by type are given in the total rows only).
    // Visitors by type are left out where the unique visitors are "<5", or where they would pin a hidden type (no entries at all).
    const given = name === 'registrationsByOrgType' ? Object.keys(r).length > 0 : m.uniqueVisitors !== '<5' && Object.keys(m.membersByOrgType).length + Object.keys(m.guestsByOrgType).length > 0;
    if (given) for (const t of TYPES) out[`${name}.${t}`] = r[t] ?? 0;
  }
  for (const k of EVENT_PEOPLE) out[`events.${k}`] = m.events[k];
  // Not counts of people, but they bound the unique visitors (see boundsOf): in the model too.
  out.checkIns = m.checkIns;
  out.visits = m.visits;
  out.businessCheckIns = m.businessCheckIns;
  return out;
}

/**
 * Bounds within a row: where a shown total minus its shown cells leaves hidden cells exactly at their
 * least (1 for "<5", 5 for "..") or every "<5" at 4, each is known. And pairs of a type bound that
 * type's people, so they must not be shown beside a "<5" of a type.
 */
function rowBounds(m: PublishedMeasures): string[] {
  const out: string[] = [];
  const check = (name: string, total: number | string, cells: (number | string)[]) => {
    if (typeof total !== 'number') return;
    const hiddenCells = cells.filter((c) => typeof c === 'string');
    if (hiddenCells.length < 2) return;
    const sum = total - cells.reduce((n: number, c) => n + (typeof c === 'number' ? c : 0), 0);
    if (sum === hiddenCells.reduce((n: number, c) => n + lo(c), 0) || (hiddenCells.every((c) => c === '<5') && sum === 4 * hiddenCells.length)) out.push(`${name}: hidden cells pinned by bounds (${total} = ${cells.join(' + ')})`);
  };
  check('visitors by type', m.uniqueVisitors, [...Object.values(m.membersByOrgType), ...Object.values(m.guestsByOrgType)]);
  // A first-time count of ".." may be any count (the interval audit opens a "<5" of that series): 0 at least.
  check('first-time + returning', m.uniqueVisitors, [m.firstTimeVisitors === '..' ? 0 : m.firstTimeVisitors, m.returningVisitors]);
  if (Object.keys(m.registrationsByOrgType).length > 0) check('registrations by type', m.registrations, Object.values(m.registrationsByOrgType));
  const smallType = (t: string) => m.membersByOrgType[t] === '<5' || m.guestsByOrgType[t] === '<5';
  for (const [pair, n] of Object.entries(m.coPresence.byTypePair)) if (typeof n === 'number' && n > 0 && pair.split('×').some(smallType)) out.push(`type pair ${pair} shown beside a "<5" of its type`);
  if (m.remoteWorkers.publicVisitors === '<5' && typeof m.coPresence.bySectorPair['public×public'] === 'number' && m.coPresence.bySectorPair['public×public'] > 0) out.push('public×public pairs shown beside "<5" public-sector visitors');
  return out;
}

/** Counts in the model that are not of people (never "<5"; a small one is not itself sensitive). */
const NOT_PEOPLE = new Set(['checkIns', 'visits', 'businessCheckIns']);

/** The least and most a published count of people can be: "<5" is 1–4, ".." is 5 or more (it was withheld among shown numbers). */
const lo = (v: number | string) => (typeof v === 'number' ? v : v === '<5' ? 1 : 5);
const hi = (v: number | string) => (typeof v === 'number' ? v : v === '<5' ? 4 : Number.POSITIVE_INFINITY);

/**
 * The interval the unique visitors of a row are known to lie in from what is published beside them:
 * organisations, new organisations and organisation pairs from below (each is at most the people
 * present), the by-type cells and first-time + returning from below, the check-ins and visits from
 * above (and those the attacker derived by subtraction).
 */
function boundsOf(m: PublishedMeasures, derivedCheckIns: number | undefined): [number, number] {
  const num = (v: number | string) => (typeof v === 'number' ? v : 0);
  const pairs = num(m.coPresence.distinctPairs);
  let fromPairs = 0;
  while ((fromPairs * (fromPairs - 1)) / 2 < pairs) fromPairs++;
  const cells = [...Object.values(m.membersByOrgType), ...Object.values(m.guestsByOrgType)].filter((v) => v !== 0);
  // A first-time count of ".." may be any count: the interval audit opens a "<5" of that series where only hidden counts pin it.
  const firstLeast = m.firstTimeVisitors === '..' ? 0 : lo(m.firstTimeVisitors);
  const low = Math.max(lo(m.uniqueVisitors), num(m.organisations), num(m.newOrganisations), fromPairs, cells.reduce((n: number, v) => n + lo(v), 0), firstLeast + lo(m.returningVisitors));
  const high = Math.min(hi(m.uniqueVisitors), typeof m.checkIns === 'number' ? m.checkIns : Number.POSITIVE_INFINITY, typeof m.visits === 'number' ? m.visits : Number.POSITIVE_INFINITY, derivedCheckIns ?? Number.POSITIVE_INFINITY);
  return [low, high];
}

/** Every row of a report with the series it belongs to (a one-hub report's network is that hub). */
function rowsOf(report: Report): { series: string; from: string; to: string; m: PublishedMeasures }[] {
  const network = report.hubs.length === 1 ? (report.hubs[0]?.hubId ?? 'network') : 'network';
  return [
    ...report.hubs.flatMap((h) => [...h.periods.map((p) => ({ series: h.hubId, from: p.from, to: p.to, m: p.measures })), { series: h.hubId, from: report.from, to: report.to, m: h.total }]),
    ...report.network.periods.map((p) => ({ series: network, from: p.from, to: p.to, m: p.measures })),
    { series: network, from: report.from, to: report.to, m: report.network.total },
  ];
}

/** A published number as a bound on a combination of atoms: lower ≤ v·x ≤ upper. */
interface LinearRow {
  v: Vec;
  lower: number;
  upper: number;
}

/**
 * The linear-programming attacker (what an outside try did with scipy's HiGHS): every published number
 * an equality, every "<5" between 1 and 4, every ".." at least 0, every atom at least 0; then the least
 * and most each hidden count of 1–4 people can be. Where they meet, the cell is pinned, though no
 * subtraction gives it: bounds over several levels at once (a range, its weeks, their days). One model,
 * solved again for each objective from the last basis.
 */
async function linearBounds(rows: LinearRow[], atoms: number, cells: Map<string, Vec>, truth: (v: Vec) => number): Promise<string[]> {
  // The package's types describe its CommonJS build; as an ES module its default export is the loader itself.
  const highs = await (highsModule as unknown as typeof highsModule.default)();
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    for (const [k, c] of [...r.v].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0])) {
      indices.push(k);
      values.push(c);
    }
    starts.push(indices.length);
  }
  const model = highs.createModel({
    numCols: atoms,
    numRows: rows.length,
    colCost: new Array(atoms).fill(0),
    colLower: new Array(atoms).fill(0),
    colUpper: new Array(atoms).fill(Number.POSITIVE_INFINITY),
    rowLower: rows.map((r) => r.lower),
    rowUpper: rows.map((r) => r.upper),
    matrix: { format: 'csr', numRows: rows.length, numCols: atoms, starts, indices, values },
  });
  model.options.set('output_flag', false);
  const all = { kind: 'range', from: 0, to: atoms - 1 } as const;
  const optimum = (sense: 'minimize' | 'maximize', v: Vec) => {
    const costs = new Array(atoms).fill(0);
    for (const [k, c] of v) costs[k] = c;
    model.changeColsCost(all, costs);
    model.changeObjectiveSense(highs.constants.objectiveSense[sense]);
    model.run();
    if (model.getModelStatus() !== 7) return sense === 'minimize' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return model.getObjectiveValue();
  };
  const pinned: string[] = [];
  for (const [k, v] of cells) {
    const t = truth(v);
    // Pinned needs both ends at the truth: the cheaper test first.
    const high = optimum('maximize', v);
    if (high > t + 0.5) continue;
    const low = optimum('minimize', v);
    if (high - low < 0.5) pinned.push(`${k} = ${t} pinned by bounds over several levels (LP ${low}..${high})`);
  }
  return pinned;
}

/** Runs one seeded case: every period, every hub filter; returns what the attacker derived (with `lp`, also what a linear program pins). */
export async function attack(seed: number, o: { lp?: boolean } = {}) {
  const random = seeded(seed * 7919);
  const hubs = [hub('umea'), hub('lulea'), hub('boden')];
  const to = addDays(todayLocal(), -20 - Math.floor(random() * 200));
  const from = addDays(to, -(6 + Math.floor(random() * 30)));
  const t = traffic(seed, hubs, from, to);
  const projection = new MemoryProjection(HUBS);
  for (const e of t.events) projection.apply(e.type, e.detail);
  const model = new Model(hubs, t);
  const known = new Knowledge();
  // A stronger attacker: knows how many waitlisted registrations were cancelled before they got a seat
  // (usually none), so registrations + promoted = confirmed + cancelled + waitlisted is exact to them.
  const constraints: LinearRow[] = [];
  for (const h of hubs)
    for (const d of datesBetween(from, to)) {
      const wx = model.atomOf(`ev:wx:${h.id}:${d}`);
      known.learn(wx);
      constraints.push({ v: wx, lower: model.value(wx), upper: model.value(wx) });
    }
  const bounded: { where: string; m: PublishedMeasures; checkIns: Vec }[] = [];
  const withheldCheckIns = new Map<string, Vec>();
  const seen = new Map<string, number | string>();
  const sensitive = new Map<string, Vec>();
  const problems: string[] = [];
  for (const period of PERIODS) {
    for (const selection of [hubs, ...hubs.map((h) => [h])]) {
      const report = await buildReport(projection, selection, { from, to, period });
      for (const row of rowsOf(report)) {
        const where = `${row.series} ${row.from}..${row.to}`;
        const vecs = model.row(row.series, row.from, row.to);
        for (const [name, v] of Object.entries(vecs)) {
          const truth = model.value(v);
          if (truth > 0 && truth < 5 && !NOT_PEOPLE.has(name)) sensitive.set(`${where} ${name}`, v);
        }
        if (typeof row.m.uniqueVisitors === 'string') bounded.push({ where, m: row.m, checkIns: vecs.checkIns as Vec });
        // A hub's withheld check-ins must not follow by subtraction either (they bound its visitors).
        if (row.series !== 'network' && row.m.checkIns === '..') withheldCheckIns.set(`${where} checkIns`, vecs.checkIns as Vec);
        problems.push(...rowBounds(row.m).map((p) => `${where}: ${p}`));
        for (const [name, shown] of Object.entries(publishedOf(row.m))) {
          const v = vecs[name];
          if (!v) throw new Error(name);
          const truth = model.value(v);
          const key = `${where} ${name}`;
          // The same cell is published alike in every report of the range (whatever the period or hub filter).
          if (seen.has(key) && seen.get(key) !== shown) problems.push(`${key}: ${seen.get(key)} in one report, ${shown} in another`);
          if (!seen.has(key)) constraints.push(typeof shown === 'number' ? { v, lower: shown, upper: shown } : shown === '<5' ? { v, lower: 1, upper: 4 } : { v, lower: 0, upper: Number.POSITIVE_INFINITY });
          seen.set(key, shown);
          if (typeof shown === 'number') {
            if (shown !== truth) problems.push(`${key}: published ${shown}, the model says ${truth}`);
            known.learn(v);
          } else if (shown === '<5' && (NOT_PEOPLE.has(name) || !(truth > 0 && truth < 5))) problems.push(`${key}: "<5" for ${truth}`);
        }
        const { events: e, remoteWorkers: r } = row.m;
        if (typeof e.attendanceRate === 'number' && (typeof e.attended !== 'number' || typeof e.confirmed !== 'number')) problems.push(`${where}: attendance rate beside a hidden count`);
        if (typeof r.share === 'number' && (typeof r.remote !== 'number' || typeof r.withMunicipality !== 'number')) problems.push(`${where}: remote share beside a hidden count`);
      }
    }
  }
  const derived = [...sensitive].filter(([, v]) => known.derives(v)).map(([k, v]) => `${k} = ${model.value(v)}`);
  for (const [k, v] of withheldCheckIns) if (known.derives(v)) derived.push(`${k} ".." = ${model.value(v)}`);
  // Bounds: a hidden count of unique visitors must not be pinned to one value by the numbers beside it.
  for (const b of bounded) {
    const [low, high] = boundsOf(b.m, known.derives(b.checkIns) ? model.value(b.checkIns) : undefined);
    if (low >= high) derived.push(`${b.where} uniqueVisitors ${b.m.uniqueVisitors} pinned to ${high} by bounds ${JSON.stringify({ c: b.m.checkIns, o: b.m.organisations, no: b.m.newOrganisations, p: b.m.coPresence.distinctPairs, m: b.m.membersByOrgType, g: b.m.guestsByOrgType, f: b.m.firstTimeVisitors, r: b.m.returningVisitors })}`);
  }
  const published = [...seen.values()].filter((v) => typeof v === 'number' && v > 0).length;
  // What the reports show, over every distinct cell of the model (counts of people and the check-ins beside them).
  const shownAs = { number: [...seen.values()].filter((v) => typeof v === 'number').length, small: [...seen.values()].filter((v) => v === '<5').length, withheld: [...seen.values()].filter((v) => v === '..').length };
  // The rest, with a linear program: what no subtraction gives may still be pinned by bounds.
  if (o.lp) derived.push(...(await linearBounds(constraints, model.values.length, new Map([...sensitive].filter(([, v]) => !known.derives(v))), (v) => model.value(v))));
  return { derived, problems, published, shownAs, sensitive: sensitive.size };
}
