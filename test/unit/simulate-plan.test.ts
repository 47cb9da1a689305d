import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/reporting/periods.ts';
import { municipality } from '../../hubs/municipalities.ts';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import { buildPlan, dayFactor } from '../../local/simulate/plan.ts';
import { progressLines } from '../../local/simulate/progress.ts';
import { HUBS, todayLocal } from '../support/report-events.ts';

const organisations = loadStarterOrganisations('hubs');
const to = addDays(todayLocal(), -1);
const from = addDays(to, -20);
const plan = (seed: number) => buildPlan({ seed, from, to, hubs: HUBS, organisations, volume: 0.5 });

describe('npm run simulate: the plan', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = plan(7);
    expect(JSON.stringify(plan(7))).toBe(JSON.stringify(a));
    expect(JSON.stringify(plan(8))).not.toBe(JSON.stringify(a));
  });

  it('gives every hub members, visits, bookings with cancellations, events with registrations, in time order', () => {
    const p = plan(7);
    expect(p.hubs.map((h) => h.hubId).sort()).toEqual(HUBS.map((h) => h.id).sort());
    for (const h of p.hubs) {
      const kinds = new Set(h.actions.map((a) => a.t));
      for (const t of ['organisation', 'agreement', 'member', 'checkIn', 'checkOut', 'book', 'event', 'job']) expect(kinds, `${h.hubId}: ${t}`).toContain(t);
      expect(h.actions.map((a) => a.at)).toEqual(h.actions.map((a) => a.at).sort());
      expect(h.actions.every((a) => a.at.slice(0, 10) >= addDays(from, -15) && a.at < `${addDays(to, 2)}`)).toBe(true);
    }
    const all = new Set(p.hubs.flatMap((h) => h.actions.map((a) => a.t)));
    for (const t of ['cancelBooking', 'register', 'registerPublic', 'cancelRegistration', 'attend']) expect(all).toContain(t);
  });

  it('uses the seed organisations and Swedish names, and makes some public employees remote workers', () => {
    const p = plan(7);
    const names = new Set(organisations.map((o) => o.name));
    const orgs = p.hubs.flatMap((h) => h.organisations);
    expect(orgs.filter((o) => names.has(o.name)).length).toBeGreaterThan(orgs.length / 2);
    const people = p.hubs.flatMap((h) => h.people.map((person) => ({ person, hub: HUBS.find((x) => x.id === h.hubId)! })));
    expect(people.every(({ person }) => /^[\p{L}' -]+ [\p{L}' -]+$/u.test(person.name))).toBe(true);
    expect(people.some(({ person }) => /[åäö]/i.test(person.name))).toBe(true);
    const publicPeople = people.filter(({ person }) => person.membership === 'member');
    const remote = publicPeople.filter(({ person, hub }) => person.employerMunicipality && person.employerMunicipality !== hub.municipalityCode);
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.length).toBeLessThan(publicPeople.length / 2);
    expect(people.every(({ person }) => !person.employerMunicipality || municipality(person.employerMunicipality))).toBe(true);
    expect(people.every(({ person }) => /^[a-z0-9.-]+@[a-z.]+$/.test(person.email))).toBe(true);
    // Every hub has business guests (the report's guests by organisation type).
    for (const h of p.hubs) expect(h.people.some((x) => x.membership === 'guest' && h.organisations.find((o) => o.key === x.org)?.type === 'business'), h.hubId).toBe(true);
  });

  it('has a few no-shows (about 5–10 % of bookings) and room bookings kept at every hub with rooms', () => {
    // A booking is a no-show when it is not cancelled and its booker has no check-in that day from an hour before its start on (the no-show job's rule).
    let made = 0;
    let noShows = 0;
    for (const h of plan(7).hubs) {
      const cancelled = new Set(h.actions.flatMap((a) => (a.t === 'cancelBooking' ? [a.booking] : [])));
      const checkIns = h.actions.flatMap((a) => (a.t === 'checkIn' ? [a] : []));
      const books = h.actions.flatMap((a) => (a.t === 'book' ? [a] : []));
      const kept = (b: (typeof books)[number]) => checkIns.some((c) => c.person === b.person && c.at.slice(0, 10) === b.start.slice(0, 10) && Date.parse(c.at) >= Date.parse(b.start) - 3_600_000);
      made += books.length;
      noShows += books.filter((b) => !cancelled.has(b.booking) && !kept(b)).length;
      const rooms = new Set(HUBS.find((x) => x.id === h.hubId)?.resources.filter((r) => r.type === 'room').map((r) => r.id));
      if (rooms.size) expect(books.filter((b) => rooms.has(b.resourceId) && !cancelled.has(b.booking) && kept(b)).length, h.hubId).toBeGreaterThan(2);
    }
    expect(made).toBeGreaterThan(100);
    expect(noShows / made).toBeGreaterThan(0.03);
    expect(noShows / made).toBeLessThan(0.12);
  });

  it('is quiet in July and at Christmas, busy midweek, closed at weekends', () => {
    expect(dayFactor('2026-07-15')).toBeLessThan(dayFactor('2026-09-16') / 3);
    expect(dayFactor('2026-12-28')).toBeLessThan(dayFactor('2026-11-25') / 2);
    expect(dayFactor('2026-11-27')).toBeLessThan(dayFactor('2026-11-25'));
    expect(dayFactor('2026-11-28')).toBe(0);
  });

  it('schedules weekly agency presence for a seed agency at every hub, its representative checking in on those days', () => {
    const p = plan(7);
    for (const h of p.hubs) {
      const presences = h.actions.filter((a) => a.t === 'agencyPresence');
      expect(presences.length, h.hubId).toBeGreaterThan(0);
      for (const pr of presences) {
        const org = h.organisations.find((o) => o.key === pr.org)!;
        expect(['state-agency', 'county-board']).toContain(org.type);
        expect(h.people.find((x) => x.key === pr.person)?.org).toBe(org.key);
        expect(pr.until).toBe(to);
        // The representative is a member before the schedule is made, and checks in on the presence days.
        expect(h.actions.findIndex((a) => a.t === 'member' && a.person === pr.person)).toBeLessThan(h.actions.indexOf(pr));
        expect(h.actions.filter((a) => a.t === 'checkIn' && a.person === pr.person).length).toBeGreaterThan(1);
      }
      expect(h.organisations.some((o) => /Skatteverket|Försäkringskassan|Migrationsverket|Arbetsförmedlingen|Länsstyrelsen|Boverket|Svenska kraftnät/.test(o.name))).toBe(true);
    }
  });

  it('makes popular events: more registrations than seats, and a seated registrant who cancels so the waitlist moves', () => {
    for (const h of plan(7).hubs) {
      const events = h.actions.filter((a) => a.t === 'event');
      const regs = (e: string) => h.actions.filter((a) => (a.t === 'register' || a.t === 'registerPublic') && a.event === e);
      const popular = events.filter((e) => regs(e.event).length > e.capacity);
      expect(popular.length, h.hubId).toBeGreaterThan(0);
      // The first registrations (in time order) get the seats; one of them cancels before the event.
      const e = popular[0]!;
      const seated = new Set(regs(e.event).slice(0, e.capacity).map((a) => (a as { reg: string }).reg));
      expect(h.actions.some((a) => a.t === 'cancelRegistration' && a.event === e.event && seated.has(a.reg) && a.at < e.start)).toBe(true);
    }
  });

  it('prints a plain progress line every 5 % where no bar can be drawn', () => {
    const lines: string[] = [];
    let t = 0;
    const increment = progressLines(200, (l) => lines.push(l), { now: () => t });
    for (let i = 0; i < 200; i++) {
      t += 100;
      increment('umea');
    }
    expect(lines).toHaveLength(21); // 0 %, 5 %, …, 100 %
    expect(lines[0]).toMatch(/^simulate: +0 % \| 1\/200 actions \| 0 s \| umea$/);
    expect(lines[1]).toMatch(/^simulate: +5 % \| 10\/200 actions \| 1 s \| about 19 s left \| umea$/);
    expect(lines.at(-1)).toMatch(/^simulate: 100 % \| 200\/200 actions \| 20 s \| umea$/);
  });
});
