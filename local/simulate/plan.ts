/**
 * The plan of `npm run simulate`: what happens at every hub, when, as a list of API actions
 * in time order. A pure function of the seed, the dates and the hubs (no clock, no network),
 * so two runs with the same seed send the same requests (test/unit/simulate-plan.test.ts).
 * The runner (run.ts) sends them through the real API of a local runtime started with
 * `--simulation`, each at its simulated instant.
 */
import { Faker, base, en, sv } from '@faker-js/faker';
import type { StarterOrganisation } from '../../hubs/organisations.ts';
import { MUNICIPALITIES } from '../../hubs/municipalities.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { openInterval, zonedInstant } from '../../functions/reporting/measures.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { weekdayOf } from '../../functions/domain/time.ts';

/** What to simulate. */
export interface PlanOptions {
  seed: number;
  /** First and last simulated day (hub-local dates, inclusive). */
  from: string;
  to: string;
  hubs: HubConfig[];
  organisations: StarterOrganisation[];
  /** Scales people (45 a hub at 1), rooms booked and events; `npm run simulate` uses 0.4 unless told (docs/local-runtime.md). */
  volume?: number;
}

/** An organisation a hub registers (from the seed's starter list, or a local business). */
export interface OrgSpec {
  key: string;
  name: string;
  type: string;
  orgNumber?: string;
}

/** A person who becomes a member (or a guest) of a hub. */
export interface PersonSpec {
  key: string;
  name: string;
  email: string;
  org: string;
  membership: 'member' | 'guest' | 'business-partner';
  employerMunicipality?: string;
  employerLocation?: string;
  /** Chance of coming on an ordinary weekday. */
  propensity: number;
}

/** One API action at a simulated instant; `key`s name what an earlier action created. */
export type Action = { at: string } & (
  | { t: 'organisation'; org: string }
  | { t: 'agreement'; org: string; seats: number; validFrom: string; validTo: string }
  | { t: 'member'; person: string }
  | { t: 'checkIn'; person: string; visit: string }
  | { t: 'checkOut'; visit: string }
  | { t: 'book'; person: string; booking: string; resourceId: string; start: string; end: string }
  | { t: 'cancelBooking'; booking: string }
  | { t: 'agencyPresence'; org: string; person: string; presence: string; resourceId: string; start: string; end: string; until: string; description: string }
  | { t: 'event'; event: string; title: string; titleEn: string; kind: string; start: string; end: string; capacity: number; resourceId?: string; openToBusiness: boolean }
  | { t: 'cancelEvent'; event: string }
  | { t: 'register'; event: string; person: string; reg: string }
  | { t: 'registerPublic'; event: string; reg: string; name: string; email: string; organisationName: string; organisationType: string }
  | { t: 'cancelRegistration'; event: string; reg: string }
  | { t: 'attend'; event: string; reg: string }
  | { t: 'walkIn'; event: string; person: string; reg: string }
  | { t: 'job'; job: 'close-visits' | 'release-no-shows' }
);

export interface HubPlan {
  hubId: string;
  organisations: OrgSpec[];
  people: PersonSpec[];
  /** In time order. */
  actions: Action[];
}

export interface Plan {
  seed: number;
  from: string;
  to: string;
  hubs: HubPlan[];
}

/** A seeded generator (mulberry32): the same seed, the same numbers. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How busy a date is compared with an ordinary weekday: quiet July, Christmas and the summer's edges; Friday light. */
export function dayFactor(date: string): number {
  const month = Number(date.slice(5, 7));
  const dom = Number(date.slice(8, 10));
  let f = 1;
  if (month === 7) f = 0.2;
  else if ((month === 12 && dom >= 20) || (month === 1 && dom <= 6)) f = 0.3;
  else if ((month === 6 && dom >= 20) || (month === 8 && dom <= 10)) f = 0.55;
  else if (month === 12 && dom >= 14) f = 0.75;
  const weekday = weekdayOf(date);
  f *= { monday: 0.9, tuesday: 1.1, wednesday: 1.1, thursday: 1, friday: 0.6, saturday: 0, sunday: 0 }[weekday];
  return f;
}

/** Julafton, nyårsafton and midsommarafton: hubs close (the booking rules' eves). */
function isEve(date: string): boolean {
  const md = date.slice(5);
  return md === '12-24' || md === '12-31' || (weekdayOf(date) === 'friday' && md >= '06-19' && md <= '06-25');
}

/** Agencies the seed names as wanted at the hubs (Forstudie, "myndighetsnärvaro"): they get a weekly presence first. */
const SEED_AGENCIES = /Skatteverket|Försäkringskassan|Migrationsverket|Arbetsförmedlingen|Länsstyrelsen|Boverket|Svenska kraftnät/;

const KINDS: [string, string, string, number][] = [
  ['workshop', 'Workshop: ', 'Workshop: ', 3],
  ['network-meeting', 'Nätverksträff: ', 'Network meeting: ', 3],
  ['training', 'Utbildning: ', 'Training: ', 2],
  ['business-joint', 'Frukostmöte med näringslivet: ', 'Business breakfast: ', 1],
  ['agency-office-hours', 'Myndighetsträff: ', 'Agency office hours: ', 1],
];
const TOPICS: [string, string][] = [
  ['digital samverkan', 'digital collaboration'],
  ['kompetensförsörjning', 'skills supply'],
  ['grön omställning', 'green transition'],
  ['tillitsbaserad styrning', 'trust-based governance'],
  ['innovationsupphandling', 'innovation procurement'],
  ['AI i offentlig sektor', 'AI in the public sector'],
  ['platsbaserat arbete', 'place-based work'],
  ['landsbygdens service', 'rural services'],
];

/** An e-mail address from a Swedish name: lower case, å/ä/ö as a/a/o, nothing but letters, digits, dots and hyphens. */
const email = (local: string, domain: string) =>
  `${local
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9.-]/g, '')}@${domain}`;
/** The later of two ISO 8601 UTC instants. */
const later = (a: string, b: string) => ([a, b].sort()[1] ?? a);
const pad = (n: number) => String(n).padStart(2, '0');
const hm = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** Of desk bookings: cancelled, and (of the rest) not come for, released by the no-show job. */
const DESK_CANCELLED = 0.08;
const DESK_NO_SHOW = 0.08;

/** Builds the plan. */
export function buildPlan(o: PlanOptions): Plan {
  const volume = o.volume ?? 1;
  const faker = new Faker({ locale: [sv, en, base] });
  faker.seed(o.seed);
  const random = rng(o.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;
  const between = (a: number, b: number) => a + Math.floor(random() * (b - a + 1));

  const dates: string[] = [];
  for (let d = o.from; d <= o.to; d = addDays(d, 1)) dates.push(d);
  const publicOrgs = o.organisations.filter((x) => x.type !== 'business');
  const businesses = o.organisations.filter((x) => x.type === 'business');
  const municipalityCodes = MUNICIPALITIES.map((m) => m.code);
  let emailSeq = 0;

  const hubs = o.hubs.map((hub): HubPlan => {
    const actions: Action[] = [];
    const at = (date: string, minutes: number) => zonedInstant(date, hm(minutes), hub.timezone).toISOString();
    const startAt = at(o.from, 6 * 60);

    // Organisations: the hub's own municipality and region, agencies of the seed, local businesses.
    const local = publicOrgs.filter((x) => x.name.includes(hub.city.replace(/å$/, '')) || x.name.includes(hub.municipality.slice(0, 4)));
    const chosen = [...new Set([...local, ...publicOrgs.filter(() => chance(0.35)), ...businesses.filter(() => chance(0.3))])];
    // Every hub has at least one of the agencies the seed names as wanted on site (for agency presence).
    if (!chosen.some((x) => SEED_AGENCIES.test(x.name))) chosen.push(pick(publicOrgs.filter((x) => SEED_AGENCIES.test(x.name))));
    const organisations: OrgSpec[] = chosen.map((x, i) => ({ key: `${hub.id}-o${i}`, name: x.name, type: x.type, ...(x.orgNumber ? { orgNumber: x.orgNumber } : {}) }));
    for (let i = 0; i < 3; i++) organisations.push({ key: `${hub.id}-b${i}`, name: `${faker.company.name()} (${hub.city})`, type: 'business' });
    for (const org of organisations) {
      actions.push({ at: startAt, t: 'organisation', org: org.key });
      // The same generous agreement whatever the dates, so a second run on the same data finds it in place.
      if (org.type !== 'business') actions.push({ at: startAt, t: 'agreement', org: org.key, seats: 1000, validFrom: `${Number(o.from.slice(0, 4)) - 2}-01-01`, validTo: `${Number(o.to.slice(0, 4)) + 2}-12-31` });
    }

    // People: public employees (some employed in another municipality: remote workers), business guests and partners.
    const count = Math.max(8, Math.round(45 * volume));
    const people: PersonSpec[] = Array.from({ length: count }, (_, i) => {
      const org = pick(organisations);
      const business = org.type === 'business';
      const first = faker.person.firstName();
      const last = faker.person.lastName();
      const remote = !business && chance(org.type === 'state-agency' ? 0.45 : 0.15);
      const mun = business ? undefined : remote ? pick(municipalityCodes.filter((c) => c !== hub.municipalityCode)) : hub.municipalityCode;
      return {
        key: `${hub.id}-p${i}`,
        name: `${first} ${last}`,
        email: email(`${first}.${last}.${++emailSeq}`, business ? 'foretag.example' : 'myndighet.example'),
        org: org.key,
        membership: business ? (chance(0.4) ? 'business-partner' : 'guest') : 'member',
        ...(mun ? { employerMunicipality: mun } : {}),
        ...(chance(0.05) ? { employerLocation: faker.location.city() } : {}),
        propensity: 0.08 + random() * 0.35,
      };
    });
    // Every hub has guests (the report counts visitors by organisation type, members and guests apart):
    // where chance made none, the first business person (or else the last person, for a local business) is one.
    if (!people.some((p) => p.membership === 'guest')) {
      const guest = people.find((p) => organisations.find((x) => x.key === p.org)?.type === 'business') ?? people[people.length - 1];
      if (guest) {
        if (organisations.find((x) => x.key === guest.org)?.type !== 'business') guest.org = `${hub.id}-b0`;
        guest.membership = 'guest';
        delete guest.employerMunicipality;
      }
    }
    // A third are members already on the first day; the rest register over the period.
    const joins = new Map(people.map((p, i) => [p.key, i < count / 3 ? o.from : pick(dates)]));

    // Agency presence (myndighetsnärvaro): one or two of the hub's state agencies are at the hub one day
    // a week, at the hub's own desk for agencies (a room where it has none), their representative a
    // member from the first day who checks in when the agency is there.
    const presenceResource = hub.resources.find((r) => r.type === 'desk') ?? hub.resources.find((r) => r.type === 'room');
    const agencies = organisations
      .filter((x) => x.type === 'state-agency' || x.type === 'county-board')
      .sort((a, b) => Number(SEED_AGENCIES.test(b.name)) - Number(SEED_AGENCIES.test(a.name)));
    const reps = new Set<string>();
    const presences = presenceResource
      ? agencies.slice(0, 2).map((org, i) => {
          const first = faker.person.firstName();
          const last = faker.person.lastName();
          const rep: PersonSpec = { key: `${hub.id}-rep${i}`, name: `${first} ${last}`, email: email(`${first}.${last}.${++emailSeq}`, 'myndighet.example'), org: org.key, membership: 'member', employerMunicipality: pick(municipalityCodes.filter((c) => c !== hub.municipalityCode)), propensity: 0.05 };
          people.push(rep);
          reps.add(rep.key);
          joins.set(rep.key, o.from);
          return { org, rep, weekday: (['tuesday', 'thursday'] as const)[i] ?? 'wednesday', key: `${hub.id}-apr${i}` };
        })
      : [];

    const openDays = dates.filter((d) => openInterval(hub, d) && !isEve(d));
    const resources = hub.resources;
    const deskPool = resources.find((r) => r.type === 'desk-pool');
    const rooms = resources.filter((r) => r.type === 'room');
    const eventSpace = resources.find((r) => r.type === 'event-space');
    let n = 0;
    const next = (prefix: string) => `${hub.id}-${prefix}${n++}`;
    let eventsHeld = 0;

    for (const date of dates) {
      for (const p of people) if (joins.get(p.key) === date) actions.push({ at: at(date, date === o.from ? 6 * 60 + 30 : between(8 * 60, 15 * 60)), t: 'member', person: p.key });
    }

    // Each presence is scheduled on the first day, from its first open weekday until the last simulated day.
    const presenceHours = (date: string) => {
      const hours = hub.openingHours[weekdayOf(date)];
      if (!hours) return undefined;
      const opens = minutesOf(hours.opens);
      const closes = minutesOf(hours.closes);
      return { from: opens + 60, to: Math.min(closes - 60, opens + 60 + 5 * 60) };
    };
    for (const pr of presences) {
      const firstDay = openDays.find((d) => weekdayOf(d) === pr.weekday);
      const hours = firstDay && presenceHours(firstDay);
      if (!firstDay || !hours || !presenceResource) continue;
      actions.push({ at: at(o.from, 6 * 60 + 40), t: 'agencyPresence', org: pr.org.key, person: pr.rep.key, presence: pr.key, resourceId: presenceResource.id, start: at(firstDay, hours.from), end: at(firstDay, hours.to), until: o.to, description: `${pr.org.name} finns på plats och svarar på frågor.` });
    }

    for (const date of openDays) {
      const hours = hub.openingHours[weekdayOf(date)];
      if (!hours) continue;
      const opens = minutesOf(hours.opens);
      const closes = minutesOf(hours.closes);
      const midday = minutesOf(hub.bookingRules.deskMidday);
      const factor = dayFactor(date);
      const members = people.filter((p) => (joins.get(p.key) ?? '9') < date || (joins.get(p.key) === date && date === o.from));

      // The agencies present today: their representative comes for the scheduled hours.
      for (const pr of presences) {
        const hours = presenceHours(date);
        const scheduled = actions.some((a) => a.t === 'agencyPresence' && a.presence === pr.key && a.start.slice(0, 10) <= date);
        if (weekdayOf(date) !== pr.weekday || !hours || !scheduled) continue;
        const visit = next('v');
        actions.push({ at: at(date, hours.from + 5), t: 'checkIn', person: pr.rep.key, visit });
        actions.push({ at: at(date, hours.to), t: 'checkOut', visit });
      }

      const present = new Set<string>();
      for (const p of members) {
        if (reps.has(p.key)) continue;
        let comes = chance(p.propensity * factor);
        // A quarter of those who come booked a desk the afternoon before; a few of those who booked
        // cancel, and a few do not come after all (no-shows: about 7 % of desk bookings).
        const books = deskPool && comes && chance(0.25);
        let arrival = between(opens, opens + 150);
        if (books) {
          const booking = next('bk');
          const wholeDay = chance(0.5);
          const bookedAt = date === o.from ? at(date, 6 * 60 + 45) : at(addDays(date, -1), between(13 * 60, 16 * 60));
          actions.push({ at: bookedAt, t: 'book', person: p.key, booking, resourceId: deskPool.id, start: at(date, opens), end: at(date, wholeDay ? closes : midday) });
          if (chance(DESK_CANCELLED)) actions.push({ at: at(date, opens - between(20, 90)), t: 'cancelBooking', booking });
          else if (chance(DESK_NO_SHOW)) comes = false; // a no-show: the no-show job releases the desk
          else arrival = between(opens, opens + 25); // within the no-show grace period
        }
        if (!comes) continue;
        present.add(p.key);
        const visit = next('v');
        actions.push({ at: at(date, arrival), t: 'checkIn', person: p.key, visit });
        // Most check out; a few forget and the closing-time job closes their visit.
        if (chance(0.95)) {
          const stay = Math.min(closes - 5, arrival + between(75, 7 * 60));
          actions.push({ at: at(date, Math.max(arrival + 20, stay)), t: 'checkOut', visit });
        }
      }

      // Rooms booked by the hour for meetings, made a day or two ahead, at every hub with rooms. The
      // one who booked comes for the meeting (checks in shortly before it, so the no-show job keeps
      // the room) but now and then cancels or does not come (about 8 % no-shows). Bookers are
      // members not otherwise at the hub that day (one visit a day each).
      const roomBookings = rooms.length ? Math.max(chance(0.6) ? 1 : 0, Math.round(between(0, 3) * factor * volume)) : 0;
      const bookers = members.filter((p) => !reps.has(p.key) && !present.has(p.key));
      for (let i = 0; i < roomBookings && bookers.length; i++) {
        const room = pick(rooms);
        const start = opens + 15 * between(2, Math.floor((closes - opens - 120) / 15));
        const end = Math.min(closes - 15, start + 15 * between(2, 8));
        const booking = next('bk');
        const bookedAt = date === o.from ? at(date, 6 * 60 + 50) : at(addDays(date, -between(1, 2)), between(9 * 60, 16 * 60));
        const p = bookers.splice(between(0, bookers.length - 1), 1)[0];
        if (!p) break;
        actions.push({ at: later(bookedAt, startAt), t: 'book', person: p.key, booking, resourceId: room.id, start: at(date, start), end: at(date, end) });
        if (chance(0.1)) actions.push({ at: at(date, opens - 30), t: 'cancelBooking', booking });
        else if (!chance(0.09)) {
          const visit = next('v');
          present.add(p.key);
          actions.push({ at: at(date, start - between(5, 20)), t: 'checkIn', person: p.key, visit });
          actions.push({ at: at(date, Math.min(closes - 5, end + between(5, 30))), t: 'checkOut', visit });
        }
      }

      // Hub events: one or two a week, Tuesday to Thursday.
      const weekday = weekdayOf(date);
      if ((weekday === 'tuesday' || weekday === 'thursday' || (weekday === 'wednesday' && chance(0.3))) && chance(Math.min(1, 0.75 * factor * (0.5 + volume)))) {
        const event = next('ev');
        const [kind, sv_, en_] = pickWeighted(KINDS, random);
        const [topic, topicEn] = pick(TOPICS);
        const start = chance(0.4) ? opens + 30 : between(10, 14) * 60;
        const length = 60 * between(1, 3);
        // The hub's first event, and a third of the rest, are popular: more want to come than there are seats.
        const popular = eventsHeld++ === 0 || chance(0.3);
        const capacity = popular ? pick([6, 8, 10]) : pick([8, 12, 15, 20, 25]);
        const createdAt = addDays(date, -14) < o.from ? startAt : at(addDays(date, -14), 10 * 60);
        actions.push({ at: createdAt, t: 'event', event, title: `${sv_}${topic}`, titleEn: `${en_}${topicEn}`, kind, start: at(date, start), end: at(date, Math.min(closes, start + length)), capacity, ...(eventSpace ? { resourceId: eventSpace.id } : {}), openToBusiness: kind === 'business-joint' || chance(0.5) });
        if (chance(0.06)) {
          actions.push({ at: at(addDays(date, -2), 9 * 60), t: 'cancelEvent', event });
          continue;
        }
        // Registrations in the two weeks before: members of the hub, and people from elsewhere publicly.
        const wanted = popular ? capacity + between(2, 5) : Math.round(capacity * (0.5 + random() * 0.5));
        const registered: { reg: string; at: string; person?: string }[] = [];
        const eligible = people.filter((p) => (joins.get(p.key) ?? '9') < addDays(date, -1));
        for (let i = 0; i < wanted; i++) {
          const reg = next('r');
          // Two to thirteen days before; an event announced before the simulated period gets its
          // earlier registrations spread over the period's days before it (not all at its first instant).
          let regDate = addDays(date, -between(2, 13));
          if (regDate < o.from) regDate = addDays(o.from, Math.floor(random() * Math.max(1, dates.indexOf(date) - 1)));
          const regAt = later(at(regDate, between(8 * 60, 16 * 60)), createdAt);
          const member = eligible.length && chance(0.75) ? pick(eligible) : undefined;
          const again = member && registered.some((r) => r.person === member.key);
          if (again && !popular) continue; // a popular event fills up anyway: someone from elsewhere takes the place
          if (member && !again) {
            registered.push({ reg, at: regAt, person: member.key });
            actions.push({ at: regAt, t: 'register', event, person: member.key, reg });
          } else {
            const first = faker.person.firstName();
            const last = faker.person.lastName();
            const org = pick(o.organisations.filter((x) => x.type !== 'business' || kind === 'business-joint'));
            registered.push({ reg, at: regAt });
            actions.push({ at: regAt, t: 'registerPublic', event, reg, name: `${first} ${last}`, email: email(`${first}.${last}.${++emailSeq}`, 'besok.example'), organisationName: org.name, organisationType: org.type });
          }
        }
        // In the order they registered, the first `capacity` get a seat and the rest wait. Some members
        // cancel the day before; a cancelled seat goes to the first on the waitlist (promotion). Of a
        // popular event, the first to register always cancels (staff do it for those from elsewhere),
        // so its waitlist moves.
        const byTime = [...registered].sort((x, y) => x.at.localeCompare(y.at));
        const seated = new Set(byTime.slice(0, capacity).map((r) => r.reg));
        const waiting = byTime.slice(capacity).map((r) => r.reg);
        const firstSeated = byTime[0];
        const cancelled = new Set<string>();
        for (const r of byTime) {
          if ((r.person && chance(0.1)) || (popular && r === firstSeated)) {
            cancelled.add(r.reg);
            actions.push({ at: later(at(addDays(date, -1), between(9 * 60, 15 * 60)), r.at), t: 'cancelRegistration', event, reg: r.reg });
            if (seated.delete(r.reg)) {
              const promoted = waiting.shift();
              if (promoted) seated.add(promoted);
            } else waiting.splice(waiting.indexOf(r.reg), 1);
          }
        }
        // Most of those with a seat come.
        for (const r of registered) if (seated.has(r.reg) && chance(0.85)) actions.push({ at: at(date, start + between(0, 10)), t: 'attend', event, reg: r.reg });
        // Now and then a member walks in.
        const walker = pick(members.length ? members : people);
        if (chance(0.3) && !registered.some((r) => r.person === walker.key) && members.includes(walker)) actions.push({ at: at(date, start + 12), t: 'walkIn', event, person: walker.key, reg: next('r') });
      }

      // The hub's jobs, as EventBridge Scheduler would run them: no-shows after the grace period, visits left open after closing.
      // (Once after closing suffices: what the job releases does not depend on when it runs, only its time stamp does.)
      actions.push({ at: at(date, closes + 10), t: 'job', job: 'release-no-shows' });
      actions.push({ at: at(date, closes + 15), t: 'job', job: 'close-visits' });
    }

    // Stable order: by instant, then as planned (registrations before their attendance, and so on).
    const ordered = actions.map((a, i) => ({ a, i })).sort((x, y) => x.a.at.localeCompare(y.a.at) || x.i - y.i).map((x) => x.a);
    return { hubId: hub.id, organisations, people, actions: ordered };
  });
  return { seed: o.seed, from: o.from, to: o.to, hubs };
}

function pickWeighted<T extends [string, string, string, number]>(list: T[], random: () => number): T {
  const total = list.reduce((s, x) => s + x[3], 0);
  let r = random() * total;
  for (const x of list) {
    r -= x[3];
    if (r < 0) return x;
  }
  return list[list.length - 1] as T;
}
