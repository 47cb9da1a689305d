import { describe, expect, it } from 'vitest';
import { eventState } from '../../functions/reporting/facts.ts';
import { summarise } from '../../functions/reporting/measures.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { reportCsv } from '../../functions/reporting/csv.ts';
import { HUBS, event, eventRegistration, hub, hubEvent, hubEventCancelled, openDay, seeded, shuffled, visit, type CraftedEvent } from '../support/report-events.ts';

const day = openDay(8);

function project(events: CraftedEvent[]): MemoryProjection {
  const p = new MemoryProjection(HUBS);
  for (const e of events) p.apply(e.type, e.detail);
  return p;
}

/** The event measures of one hub over a few days around `day`. */
async function eventsOf(p: MemoryProjection, hubId: string, from = addDays(day, -3), to = addDays(day, 3)) {
  const report = await buildReport(p, [hub(hubId)], { from, to, period: 'day' });
  const facts = [...(await p.hubEvents(hubId)).values()];
  const raw = summarise(
    Array.from({ length: 7 }, (_, i) => addDays(from, i)).map((date) => ({ hub: hub(hubId), date, hubEvents: facts.filter((f) => eventState(f)?.state.date === date) })),
  ).events;
  return { raw, published: report.hubs[0]!.total.events };
}

describe('national projection: hub events', () => {
  it('counts events held by kind, registrations, waitlist, promotions and attendance of held events', async () => {
    // Prepare: a workshop of capacity 2 with 3 registrations (one waitlisted, promoted when a confirmed one cancels),
    // a training with a walk-in from a business and a public registrant from another hub, and a cancelled network meeting.
    const events = [
      hubEvent({ hubId: 'umea', eventId: 'ev1', date: day, kind: 'workshop', capacity: 2 }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev1', attended: true }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev1', cancelled: true }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev1', status: 'waitlisted', promoted: true }),
      hubEvent({ hubId: 'umea', eventId: 'ev2', date: addDays(day, 1), kind: 'training' }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev2', walkIn: true, business: true, attended: true, kind: 'training' }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev2', outside: true, attended: true, kind: 'training' }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev2', status: 'waitlisted', kind: 'training' }),
      hubEvent({ hubId: 'umea', eventId: 'ev3', date: day, kind: 'network-meeting' }),
      ...eventRegistration({ hubId: 'umea', eventId: 'ev3', kind: 'network-meeting' }),
      hubEventCancelled({ hubId: 'umea', eventId: 'ev3', date: day, kind: 'network-meeting', version: 2 }),
    ];
    // Act
    const { raw } = await eventsOf(project(events), 'umea');
    // Assess
    expect(raw).toEqual({
      held: 2,
      heldByKind: { workshop: 1, training: 1 },
      cancelled: 1,
      // Registrations of held events only: the cancelled meeting's registrant is not counted.
      registrations: 6,
      registrationsCancelled: 1,
      waitlisted: 2,
      promoted: 1,
      // ev1: the attendee and the promoted one; ev2: the walk-in and the public registrant.
      confirmed: 4,
      attended: 3,
      attendanceRate: 0.75,
      participantsBusiness: 1,
      participantsOtherHubs: 1,
    });
  });

  it('is independent of order: an update or cancellation before the scheduling, a cancellation before its registration', async () => {
    const regs = eventRegistration({ hubId: 'lulea', eventId: 'evA', cancelled: true });
    const kept = eventRegistration({ hubId: 'lulea', eventId: 'evA', attended: true });
    const events = [
      hubEvent({ hubId: 'lulea', eventId: 'evA', date: addDays(day, -1), kind: 'workshop' }),
      // Moved to `day` and turned into a training by version 2.
      hubEvent({ hubId: 'lulea', eventId: 'evA', date: day, kind: 'training', version: 2, changed: ['start', 'kind'] }),
      ...regs,
      ...kept,
      hubEvent({ hubId: 'lulea', eventId: 'evB', date: day }),
      hubEventCancelled({ hubId: 'lulea', eventId: 'evB', date: day, version: 3 }),
    ];
    const reversed = [...events].reverse();
    const inOrder = await eventsOf(project(events), 'lulea');
    const backwards = await eventsOf(project(reversed), 'lulea');
    // The update is read whatever came first: one training, held on `day`.
    expect(inOrder.raw).toMatchObject({ held: 1, heldByKind: { training: 1 }, cancelled: 1, registrations: 2, registrationsCancelled: 1, confirmed: 1, attended: 1, attendanceRate: 1 });
    expect(backwards).toEqual(inOrder);
    const report = await buildReport(project(reversed), [hub('lulea')], { from: addDays(day, -1), to: day, period: 'day' });
    expect(report.hubs[0]!.periods.map((p) => p.measures.events.held)).toEqual([0, 1]);
  });

  it('waits with registrations whose event has not arrived, and counts them once it does', async () => {
    const regs = eventRegistration({ hubId: 'boden', eventId: 'late', attended: true });
    const p = project(regs);
    expect((await eventsOf(p, 'boden')).raw).toMatchObject({ held: 0, registrations: 0, attended: 0 });
    p.apply('HubEventScheduled', hubEvent({ hubId: 'boden', eventId: 'late', date: day }).detail);
    expect((await eventsOf(p, 'boden')).raw).toMatchObject({ held: 1, registrations: 1, attended: 1, confirmed: 1 });
  });

  it('ignores duplicates, keeps the counts when a registrant is erased, and suppresses small counts of people', async () => {
    const member = 'mem_erased';
    const events = [
      hubEvent({ hubId: 'umea', eventId: 'e1', date: day }),
      ...eventRegistration({ hubId: 'umea', eventId: 'e1', memberId: member, attended: true }),
      ...eventRegistration({ hubId: 'umea', eventId: 'e1', attended: true, business: true }),
      event('MemberErased', 'umea', { memberId: member, erasedAt: new Date().toISOString() }),
    ];
    const p = project([...events, ...events]);
    const { raw, published } = await eventsOf(p, 'umea');
    expect(raw).toMatchObject({ held: 1, registrations: 2, attended: 2, participantsBusiness: 1 });
    expect(JSON.stringify([...p.events.values()])).not.toContain(member);
    // People counts below 5 are "<5", and the rate made of them is withheld; events are not people.
    expect(published).toMatchObject({ held: 1, registrations: '<5', attended: '<5', confirmed: '<5', participantsBusiness: '<5', attendanceRate: '..' });
  });

  it('keeps the attendees when only the business count among them is small, and withholds one count when two would reveal a small rest', async () => {
    // 7 attendees, 2 of them from business: the 5 others are not published, so the 7 reveal nothing.
    const events = [hubEvent({ hubId: 'umea', eventId: 'big', date: day, capacity: 20 })];
    for (let i = 0; i < 7; i++) events.push(...eventRegistration({ hubId: 'umea', eventId: 'big', attended: true, business: i < 2 }));
    const { published } = await eventsOf(project(events), 'umea');
    expect(published).toMatchObject({ participantsBusiness: '<5', attended: 7, confirmed: 7, attendanceRate: 1 });
    // 6 confirmed, 5 attended: the one who did not come would follow from the two; the smaller is withheld, and the rate.
    const six = [hubEvent({ hubId: 'umea', eventId: 'six', date: day })];
    for (let i = 0; i < 6; i++) six.push(...eventRegistration({ hubId: 'umea', eventId: 'six', attended: i < 5 }));
    const other = (await eventsOf(project(six), 'umea')).published;
    expect(other).toMatchObject({ attended: '..', confirmed: 6, attendanceRate: '..' });
  });

  it("keeps the network's attendees, confirmed and rate when one hub's business participants are \"<5\"", async () => {
    // Umeå: 8 attendees, 2 from business; Luleå: 10 attendees, 5 from business.
    const events = [hubEvent({ hubId: 'umea', eventId: 'u', date: day, capacity: 20 }), hubEvent({ hubId: 'lulea', eventId: 'l', date: day, capacity: 20 })];
    for (let i = 0; i < 8; i++) events.push(...eventRegistration({ hubId: 'umea', eventId: 'u', attended: true, business: i < 2 }));
    for (let i = 0; i < 10; i++) events.push(...eventRegistration({ hubId: 'lulea', eventId: 'l', attended: true, business: i < 5 }));
    const report = await buildReport(project(events), [hub('umea'), hub('lulea')], { from: addDays(day, -3), to: addDays(day, 3), period: 'week' });
    // The network's business count would be 7 = 2 + 5: withheld, as Umeå's 2 would follow from it; nothing else needs to be.
    expect(report.network.total.events).toMatchObject({ attended: 18, confirmed: 18, attendanceRate: 1, participantsBusiness: '..', participantsOtherHubs: 0 });
    expect(report.hubs.map((h) => h.total.events.participantsBusiness)).toEqual(['<5', 5]);
    for (const p of report.network.periods.filter((p) => p.measures.events.attended !== 0)) expect(p.measures.events).toMatchObject({ attended: 18, confirmed: 18, participantsBusiness: '..' });
  });

  it('writes the event measures into the CSV', async () => {
    const events = [hubEvent({ hubId: 'umea', eventId: 'c1', date: day, kind: 'training' })];
    for (let i = 0; i < 12; i++) events.push(...eventRegistration({ hubId: 'umea', eventId: 'c1', attended: i < 6, kind: 'training' }));
    const report = await buildReport(project(events), [hub('umea')], { from: day, to: day, period: 'day' });
    const [header = '', row = ''] = reportCsv(report).replace('\uFEFF', '').split('\r\n');
    const cols = header.split(';');
    const cell = (name: string) => row.split(';')[cols.indexOf(name)];
    expect(cell('Evenemang genomförda / Events held')).toBe('1');
    expect(cell('Evenemang training / Events training')).toBe('1');
    expect(cell('Anmälningar / Event registrations')).toBe('12');
    expect(cell('Deltagare / Attended')).toBe('6');
    expect(cell('Närvarograd / Attendance rate')).toBe('0,5');
    expect(cell('Deltagare från näringslivet / Participants from business')).toBe('0');
  });
});

describe('published remote-worker counts', () => {
  it('publishes the known and the remote when neither they nor the rest are small, and withholds the known when the rest is', async () => {
    const publish = async (remote: number, local: number) => {
      const events = Array.from({ length: remote + local }, (_, i) => visit({ hubId: 'skelleftea', date: day, from: '09:00', to: '11:00', memberId: `pw${remote}-${i}`, org: 'af', type: 'state-agency', employerMunicipality: i < remote ? '2480' : '2482' })).flat();
      return (await buildReport(project(events), [hub('skelleftea')], { from: day, to: day, period: 'day' })).hubs[0]!.total.remoteWorkers;
    };
    expect(await publish(6, 6)).toEqual({ publicVisitors: 12, withMunicipality: 12, remote: 6, share: 0.5 });
    // 8 known, 6 remote: the 2 local would follow from the two, so the smaller (the remote) is withheld, and the share with it.
    expect(await publish(6, 2)).toMatchObject({ withMunicipality: 8, remote: '..', share: '..' });
  });
});

describe('national projection: hub events delivered twice and shuffled', () => {
  it('gives the same event measures', async () => {
    const random = seeded(11);
    const events: CraftedEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const hubId = HUBS[i % HUBS.length]!.id;
      const date = addDays(day, -(i % 5));
      events.push(hubEvent({ hubId, eventId: `e${i}`, date, kind: i % 3 ? 'workshop' : 'training' }));
      if (random() < 0.3) events.push(hubEvent({ hubId, eventId: `e${i}`, date: addDays(date, 1), version: 2, changed: ['start'] }));
      if (random() < 0.15) events.push(hubEventCancelled({ hubId, eventId: `e${i}`, date, version: 3 }));
      for (let r = 0; r < 12; r++) {
        events.push(...eventRegistration({ hubId, eventId: `e${i}`, status: r < 9 ? 'confirmed' : 'waitlisted', business: random() < 0.2, outside: random() < 0.3, cancelled: random() < 0.1, promoted: r >= 9 && random() < 0.5, attended: random() < 0.7 }));
      }
    }
    const q = { from: addDays(day, -5), to: addDays(day, 1), period: 'week' as const };
    const inOrder = await buildReport(project(events), HUBS, q);
    const twiceShuffled = await buildReport(project(shuffled([...events, ...events], seeded(5))), HUBS, q);
    expect(inOrder.network.total.events.held).toBeGreaterThan(20);
    expect(twiceShuffled).toEqual(inOrder);
  });
});
