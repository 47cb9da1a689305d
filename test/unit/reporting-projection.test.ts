import { describe, expect, it } from 'vitest';
import { pseudonym } from '../../functions/reporting/facts.ts';
import { summarise } from '../../functions/reporting/measures.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { HUBS, booking, event, eventRegistration, hub, hubEvent, hubEventCancelled, openDay, seeded, shuffled, visit, type CraftedEvent } from '../support/report-events.ts';

function project(events: CraftedEvent[]): MemoryProjection {
  const p = new MemoryProjection(HUBS);
  for (const e of events) p.apply(e.type, e.detail);
  return p;
}

async function measuresOf(p: MemoryProjection, hubId: string, date: string) {
  const facts = await p.hubDays(hubId, date, date);
  return summarise([{ hub: hub(hubId), date, facts: facts.get(date), presences: await p.presences(hubId) }]);
}

const day = openDay(8);

describe('national projection: visits', () => {
  it('counts visits, unique visitors and hours, and a check-out before its check-in changes nothing', async () => {
    // Prepare
    const events = [
      ...visit({ hubId: 'umea', date: day, from: '09:00', to: '11:30', memberId: 'm1', org: 'orgA' }),
      ...visit({ hubId: 'umea', date: day, from: '13:00', to: '14:00', memberId: 'm1', org: 'orgA' }),
      ...visit({ hubId: 'umea', date: day, from: '10:00', memberId: 'm2', org: 'orgB', type: 'business', membership: 'guest' }),
    ];
    // Act
    const inOrder = await measuresOf(project(events), 'umea', day);
    const reversed = await measuresOf(project([...events].reverse()), 'umea', day);
    // Assess
    expect(inOrder).toMatchObject({ checkIns: 3, visits: 3, uniqueVisitors: 2, visitHours: 3.5, organisations: 2, businessCheckIns: 1 });
    expect(inOrder.membersByOrgType).toEqual({ 'state-agency': 1 });
    expect(inOrder.guestsByOrgType).toEqual({ business: 1 });
    expect(reversed).toEqual(inOrder);
  });

  it('ignores a second delivery of the same event', async () => {
    const events = visit({ hubId: 'umea', date: day, from: '09:00', to: '10:00', memberId: 'm1', org: 'orgA' });
    const p = project(events);
    expect(p.apply(events[0]!.type, events[0]!.detail)).toBe(false);
    expect((await measuresOf(p, 'umea', day)).visits).toBe(1);
  });
});

describe('national projection: first sightings', () => {
  it('counts first-time and returning visitors at the hub and new organisations network-wide, whatever the order', async () => {
    const before = addDays(day, -1);
    const events = [
      ...visit({ hubId: 'lulea', date: before, from: '09:00', to: '10:00', memberId: 'm1', org: 'orgA' }),
      ...visit({ hubId: 'umea', date: day, from: '09:00', to: '10:00', memberId: 'm1', org: 'orgA' }),
      ...visit({ hubId: 'umea', date: before, from: '09:00', to: '10:00', memberId: 'm2', org: 'orgB' }),
      ...visit({ hubId: 'umea', date: day, from: '09:00', to: '10:00', memberId: 'm2', org: 'orgB' }),
      ...visit({ hubId: 'umea', date: day, from: '11:00', to: '12:00', memberId: 'm3', org: 'orgC' }),
    ];
    // The late delivery of the earlier days comes last.
    const p = project([...events.slice(2, 4), ...events.slice(6), ...events.slice(0, 2), ...events.slice(4, 6)]);
    const umea = await measuresOf(p, 'umea', day);
    // m1's first visit at Umeå is today (Luleå does not count); m2 came yesterday; m3 is new.
    expect(umea).toMatchObject({ uniqueVisitors: 3, firstTimeVisitors: 2, returningVisitors: 1 });
    // orgA was first seen in Luleå, orgB in Umeå yesterday: only orgC is new today.
    expect(umea.newOrganisations).toBe(1);
    expect((await measuresOf(p, 'lulea', before)).newOrganisations).toBe(1);
    expect((await measuresOf(p, 'umea', before)).newOrganisations).toBe(1);
  });
});

describe('national projection: co-presence', () => {
  it('counts distinct pairs of organisations with overlapping visits and their sector mix', async () => {
    const events = [
      ...visit({ hubId: 'boden', date: day, from: '09:00', to: '12:00', memberId: 'a1', org: 'agency', type: 'state-agency' }),
      ...visit({ hubId: 'boden', date: day, from: '09:30', to: '10:00', memberId: 'a2', org: 'agency', type: 'state-agency' }),
      ...visit({ hubId: 'boden', date: day, from: '11:00', to: '15:00', memberId: 'k1', org: 'kommun', type: 'municipality' }),
      ...visit({ hubId: 'boden', date: day, from: '12:00', to: '13:00', memberId: 'b1', org: 'bolag', type: 'business', membership: 'guest' }),
      // Same day, no overlap with the agency (its visits end at 12:00 sharp).
      ...visit({ hubId: 'boden', date: day, from: '14:00', memberId: 'r1', org: 'region', type: 'region' }),
    ];
    const m = await measuresOf(project(shuffled(events, seeded(3))), 'boden', day);
    // agency–kommun (11–12), kommun–bolag (12–13), kommun–region (14–15; the region's visit runs to closing time).
    expect(m.coPresence.pairDays).toBe(3);
    expect(m.coPresence.byTypePair).toEqual({ 'municipality×state-agency': 1, 'business×municipality': 1, 'municipality×region': 1 });
    expect(m.coPresence.bySectorPair).toEqual({ 'public×public': 2, 'business×public': 1 });
  });

  it('counts visits begun after closing time and not checked out as present until the day ends (an evening event)', async () => {
    const events = [
      ...visit({ hubId: 'boden', date: day, from: '21:00', memberId: 'k1', org: 'kommun', type: 'municipality' }),
      ...visit({ hubId: 'boden', date: day, from: '22:30', memberId: 'a1', org: 'agency', type: 'state-agency' }),
      // Checked out before the agency came: no overlap.
      ...visit({ hubId: 'boden', date: day, from: '20:00', to: '21:30', memberId: 'b1', org: 'bolag', type: 'business', membership: 'guest' }),
    ];
    const m = await measuresOf(project(events), 'boden', day);
    // kommun–agency (22:30–), kommun–bolag (21:00–21:30).
    expect(m.coPresence.byTypePair).toEqual({ 'municipality×state-agency': 1, 'business×municipality': 1 });
  });

  it("types an organisation by its latest check-in of the day, whatever order the facts are stored in", async () => {
    // Prepare: the organisation's type was changed between two check-ins (state agency, then public company).
    const before = visit({ hubId: 'boden', date: day, from: '09:00', to: '12:00', memberId: 'a1', org: 'bolaget', type: 'state-agency' });
    const after = visit({ hubId: 'boden', date: day, from: '10:00', to: '12:00', memberId: 'a2', org: 'bolaget', type: 'public-company' });
    const other = visit({ hubId: 'boden', date: day, from: '09:00', to: '12:00', memberId: 'k1', org: 'kommun', type: 'municipality' });
    // Act: the same facts stored in two orders (the DynamoDB projection merges a day's shards in key order).
    const first = await measuresOf(project([...before, ...after, ...other]), 'boden', day);
    const second = await measuresOf(project([...other, ...after, ...before]), 'boden', day);
    // Assess
    expect(first.coPresence.byTypePair).toEqual({ 'municipality×public-company': 1 });
    expect(second.coPresence.byTypePair).toEqual(first.coPresence.byTypePair);
  });
});

describe('national projection: bookings and utilisation', () => {
  it('counts bookings made, cancelled and no-shows, and utilisation against capacity and opening hours', async () => {
    const h = hub('umea'); // 25 desks (a pool of 24 and one), 2 rooms
    const events = [
      ...booking({ hubId: 'umea', date: day, from: '08:00', to: '12:00', resourceId: 'oppna-ytan', resourceType: 'desk-pool', memberId: 'm1', org: 'o' }),
      ...booking({ hubId: 'umea', date: day, from: '12:00', to: '17:00', resourceId: 'fokus-1', resourceType: 'desk', memberId: 'm2', org: 'o' }),
      ...booking({ hubId: 'umea', date: day, from: '10:00', to: '11:00', resourceId: 'rum-kajen', resourceType: 'room', memberId: 'm1', org: 'o' }),
      ...booking({ hubId: 'umea', date: day, from: '13:00', to: '14:00', resourceId: 'rum-kajen', resourceType: 'room', memberId: 'm2', org: 'o', end: 'cancelled' }),
      ...booking({ hubId: 'umea', date: day, from: '15:00', to: '16:00', resourceId: 'rum-umealven', resourceType: 'room', memberId: 'm3', org: 'o', end: 'no-show' }),
    ];
    const m = await measuresOf(project([...events].reverse()), 'umea', day);
    const open = h.openingHours[new Date(`${day}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }).toLowerCase() as 'monday']!;
    const openHours = Number(open.closes.slice(0, 2)) - Number(open.opens.slice(0, 2));
    expect(m.bookings).toEqual({ made: 5, cancelled: 1, noShows: 1 });
    expect(m.utilisation.deskHoursAvailable).toBe(25 * openHours);
    expect(m.utilisation.deskHoursBooked).toBe(4 + Math.min(5, openHours - 4));
    expect(m.utilisation.roomHoursAvailable).toBe(2 * openHours);
    expect(m.utilisation.roomHoursBooked).toBe(1);
    expect(m.utilisation.room).toBeCloseTo(1 / (2 * openHours));
  });

  it('counts scheduled agency presence hours per organisation on the days the hub is open', async () => {
    const events = [
      event('AgencyPresenceScheduled', 'boden', { presenceId: 'p1', organisationId: 'af', organisationType: 'state-agency', hubId: 'boden', resourceId: 'r', weekday: 'tuesday', from: '09:00', to: '12:00', firstDate: addDays(day, -30), until: addDays(day, 30), occurrences: 9 }),
    ];
    const p = project(events);
    const from = addDays(day, -13);
    const facts = await p.hubDays('boden', from, day);
    const presences = await p.presences('boden');
    const dates = Array.from({ length: 14 }, (_, i) => addDays(from, i));
    const m = summarise(dates.map((date) => ({ hub: hub('boden'), date, facts: facts.get(date), presences })));
    const openTuesdays = dates.filter((d) => new Date(`${d}T12:00:00Z`).getUTCDay() === 2 && summarise([{ hub: hub('boden'), date: d }]).utilisation.deskHoursAvailable > 0).length;
    expect(m.agencyPresenceHours).toEqual({ af: 3 * openTuesdays });
  });
});

describe('national projection: erasure', () => {
  it('keeps the counts and forgets the person, whether MemberErased comes after or before the visits', async () => {
    const events = [
      ...visit({ hubId: 'umea', date: addDays(day, -1), from: '09:00', to: '10:00', memberId: 'gone', org: 'orgA' }),
      ...visit({ hubId: 'umea', date: day, from: '09:00', to: '10:00', memberId: 'gone', org: 'orgA' }),
      ...visit({ hubId: 'umea', date: day, from: '09:00', to: '10:00', memberId: 'stays', org: 'orgB' }),
    ];
    const erased = event('MemberErased', 'umea', { memberId: 'gone', erasedAt: new Date().toISOString() });
    const before = await measuresOf(project(events), 'umea', day);
    const after = project([...events, erased]);
    const first = project([erased, ...events]);
    expect(await measuresOf(after, 'umea', day)).toEqual(before);
    expect(await measuresOf(first, 'umea', day)).toEqual(before);
    expect(before).toMatchObject({ uniqueVisitors: 2, firstTimeVisitors: 1, returningVisitors: 1 });
    expect(after.mentions(pseudonym('gone'))).toBe(false);
    expect(first.mentions(pseudonym('gone'))).toBe(false);
    expect(JSON.stringify([...after.days.values()])).not.toContain('gone');
  });
});

/** A realistic stream: members of several organisations visiting hubs over two weeks, bookings, erasures. */
function realisticStream(seed: number): CraftedEvent[] {
  const random = seeded(seed);
  const types = ['state-agency', 'municipality', 'region', 'county-board', 'business', 'university'];
  const members = Array.from({ length: 60 }, (_, i) => ({ id: `mem_${i}`, org: `org_${i % 17}`, type: types[i % 17 % types.length]!, hubId: HUBS[i % HUBS.length]!.id }));
  const events: CraftedEvent[] = [];
  for (let d = 0; d < 14; d++) {
    const date = addDays(day, -d);
    for (const m of members) {
      if (random() < 0.55) continue;
      const start = 8 + Math.floor(random() * 6);
      const hubId = random() < 0.85 ? m.hubId : HUBS[Math.floor(random() * HUBS.length)]!.id;
      events.push(...visit({ hubId, date, from: `${String(start).padStart(2, '0')}:${random() < 0.5 ? '00' : '30'}`, to: random() < 0.9 ? `${String(start + 1 + Math.floor(random() * 4)).padStart(2, '0')}:15` : undefined, memberId: m.id, org: m.org, type: m.type, membership: m.type === 'business' ? 'guest' : 'member' }));
      if (random() < 0.3) events.push(...booking({ hubId, date, from: '13:00', to: '15:00', resourceId: 'x', resourceType: random() < 0.5 ? 'room' : 'desk-pool', memberId: m.id, org: m.org, end: random() < 0.2 ? 'cancelled' : random() < 0.2 ? 'no-show' : undefined }));
    }
  }
  for (const m of members.slice(0, 6)) events.push(event('MemberRegistered', m.hubId, { memberId: m.id, organisationId: m.org, organisationType: m.type, membership: 'member' }, `${addDays(day, -3)}T09:00:00Z`));
  // Hub events: updated, cancelled, registrations cancelled, waitlisted and promoted, attended.
  for (let i = 0; i < 12; i++) {
    const hubId = HUBS[i % HUBS.length]!.id;
    const date = addDays(day, -Math.floor(random() * 14));
    events.push(hubEvent({ hubId, eventId: `hev_${i}`, date, kind: i % 2 ? 'workshop' : 'network-meeting', capacity: 6 }));
    if (random() < 0.3) events.push(hubEvent({ hubId, eventId: `hev_${i}`, date: addDays(date, -1), version: 2, changed: ['start'] }));
    if (random() < 0.15) events.push(hubEventCancelled({ hubId, eventId: `hev_${i}`, date, version: 3 }));
    for (let r = 0; r < 8; r++) {
      const m = members[(i * 8 + r) % members.length]!;
      events.push(...eventRegistration({ hubId, eventId: `hev_${i}`, memberId: m.id, status: r < 6 ? 'confirmed' : 'waitlisted', business: m.type === 'business', outside: m.hubId !== hubId, cancelled: random() < 0.15, promoted: r >= 6 && random() < 0.5, attended: random() < 0.7 }));
    }
  }
  events.push(event('MemberErased', 'umea', { memberId: 'mem_1', erasedAt: new Date().toISOString() }));
  return events;
}

describe('national projection: order and duplicates', () => {
  it('gives the same report when every event is delivered twice and shuffled', async () => {
    // Prepare
    const events = realisticStream(42);
    const q = { from: addDays(day, -13), to: day, period: 'week' as const };
    // Act
    const inOrder = await buildReport(project(events), HUBS, q);
    const twiceShuffled = await buildReport(project(shuffled([...events, ...events], seeded(7))), HUBS, q);
    // Assess
    expect(inOrder.totals.checkIns).toBeGreaterThan(100);
    expect(Object.keys(inOrder.network.total.coPresence.byTypePair).length).toBeGreaterThan(3); // pairs present (shown or withheld)
    expect(inOrder.network.total.events.held).toBeGreaterThan(5);
    expect(Object.keys(inOrder.network.total.events.heldByKind).sort()).toEqual(['network-meeting', 'workshop']);
    expect(twiceShuffled).toEqual(inOrder);
  });
});

describe('national projection: remote public workers', () => {
  it('counts public-sector visitors employed in another municipality than the hub', async () => {
    // Skellefteå's hub is in 2482: one visitor from Umeå (2480), one local, one unknown, one business guest from Luleå.
    const events = [
      ...visit({ hubId: 'skelleftea', date: day, from: '09:00', to: '12:00', memberId: 'umea', org: 'af', type: 'state-agency', employerMunicipality: '2480' }),
      ...visit({ hubId: 'skelleftea', date: day, from: '09:00', to: '12:00', memberId: 'local', org: 'kommun', type: 'municipality', employerMunicipality: '2482' }),
      ...visit({ hubId: 'skelleftea', date: day, from: '09:00', to: '12:00', memberId: 'unknown', org: 'region', type: 'region' }),
      ...visit({ hubId: 'skelleftea', date: day, from: '09:00', to: '12:00', memberId: 'biz', org: 'bolag', type: 'business', employerMunicipality: '2580' }),
    ];
    const m = await measuresOf(project(shuffled(events, seeded(1))), 'skelleftea', day);
    expect(m.remoteWorkers).toEqual({ publicVisitors: 3, withMunicipality: 2, remote: 1, share: 0.5 });
  });
});
