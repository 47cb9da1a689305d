import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { addDays, thisYear, today } from '../support/dates.ts';
import { api, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let staffBoden: string;

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', 'ostersund');
  staffBoden = await network.token('staff', 'boden');
});

afterAll(async () => {
  await network?.stop();
});

async function org(body: Record<string, unknown>, token = staff, hub = 'ostersund') {
  const res = await call('POST', `/api/hubs/${hub}/organisations`, { token, body });
  expect([200, 201], res.text).toContain(res.status);
  return res;
}

async function member(body: Record<string, unknown>, token = staff, hub = 'ostersund') {
  const res = await call('POST', `/api/hubs/${hub}/members`, { token, body: { membership: 'member', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; memberCode: string; qrPayload: string; name: string; email: string };
}

describe('organisations are one across the network', () => {
  it('gives the same organisation the same id at every hub, by org number or by name', async () => {
    const a = await org({ name: 'Försäkringskassan', type: 'state-agency', orgNumber: '202100-5521' });
    const b = await org({ name: 'Försäkringskassan Boden', type: 'state-agency', orgNumber: '2021005521' }, staffBoden, 'boden');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json.id).toBe(a.json.id);
    const c = await org({ name: 'Region  Jämtland Härjedalen', type: 'region' });
    const d = await org({ name: 'region jamtland harjedalen', type: 'region' }, staffBoden, 'boden');
    expect(d.json.id).toBe(c.json.id);
  });
});

describe('members', () => {
  it('get a member code and a QR payload that checks them in', async () => {
    const o = await org({ name: 'Länsstyrelsen i Jämtlands län', type: 'county-board' });
    const m = await member({ name: 'Qr Person', email: 'qr@lansstyrelsen.se', organisationId: o.json.id, language: 'en' });
    expect(m.qrPayload).toBe(`SAMVERKAN:ostersund:${m.memberCode}`);
    const res = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberCode: m.qrPayload } });
    expect(res.status, res.text).toBe(201);
    const wrongHub = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberCode: `SAMVERKAN:boden:${m.memberCode}` } });
    expect(wrongHub.status).toBe(400);
    expect(wrongHub.json.error.issues[0].path).toBe('body.memberCode');
  });

  it('are found by name, e-mail or organisation from the search index, every word counting', async () => {
    const o = await org({ name: 'Trafikverket', type: 'state-agency' });
    const other = await org({ name: 'Östersunds kommun', type: 'municipality' });
    const a = await member({ name: 'Åsa Sökbar', email: 'asa.s@trafikverket.se', organisationId: o.json.id });
    const b = await member({ name: 'Åke Sökbar', email: 'ake@ostersund.se', organisationId: other.json.id });
    const find = async (q: string) => {
      const res = await call('GET', `/api/hubs/ostersund/members?q=${encodeURIComponent(q)}`, { token: staff });
      expect(res.status, res.text).toBe(200);
      return (res.json.members as Array<{ id: string }>).map((m) => m.id).sort();
    };
    expect(await find('sökbar')).toEqual([a.id, b.id].sort());
    expect(await find('sokbar trafik')).toEqual([a.id]);
    expect(await find('ASA')).toEqual([a.id]);
    expect(await find('ake@ostersund.se')).toEqual([b.id]);
    expect(await find('östersunds')).toEqual([b.id]);
    expect(await find('nobody-here')).toEqual([]);
    const bad = await call('GET', '/api/hubs/ostersund/members?q=a', { token: staff });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('query.q');
  });

  it('are 404 for an unknown id, and 403 for staff of another hub', async () => {
    expect((await call('GET', '/api/hubs/ostersund/members/mem_nope', { token: staff })).status).toBe(404);
    expect((await call('GET', '/api/hubs/ostersund/members/mem_nope', { token: staffBoden })).status).toBe(403);
  });
});

describe('check-out and presence', () => {
  it('shows who is in, with organisation and since when, and checks them out with a duration', async () => {
    const o = await org({ name: 'Mittuniversitetet', type: 'university' });
    const m1 = await member({ name: 'Presence One', email: 'p1@miun.se', organisationId: o.json.id });
    const m2 = await member({ name: 'Presence Two', email: 'p2@miun.se', organisationId: o.json.id });
    const v1 = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m1.id } });
    const v2 = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberCode: m2.memberCode } });
    const presence = await call('GET', '/api/hubs/ostersund/presence', { token: staff });
    expect(presence.status).toBe(200);
    const mine = presence.json.present.filter((p: { memberId: string }) => [m1.id, m2.id].includes(p.memberId));
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({ organisationId: o.json.id, organisationName: 'Mittuniversitetet', organisationType: 'university', since: expect.any(String) });

    const out = await call('POST', `/api/hubs/ostersund/check-ins/${v1.json.id}/check-out`, { token: staff });
    expect(out.status, out.text).toBe(200);
    expect(out.json).toMatchObject({ id: v1.json.id, checkedOutAt: expect.any(String), durationMinutes: 0, autoClosed: false });
    const again = await call('POST', `/api/hubs/ostersund/check-ins/${v1.json.id}/check-out`, { token: staff });
    expect(again.status).toBe(200);
    expect(again.json.checkedOutAt).toBe(out.json.checkedOutAt);

    const after = await call('GET', '/api/hubs/ostersund/presence', { token: staff });
    expect(after.json.present.map((p: { memberId: string }) => p.memberId)).not.toContain(m1.id);
    expect(after.json.present.map((p: { memberId: string }) => p.memberId)).toContain(m2.id);

    // Checked out, the member can come in again: a new visit.
    const back = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m1.id } });
    expect(back.status).toBe(201);
    expect(back.json.id).not.toBe(v1.json.id);
    expect(v2.status).toBe(201);
  });

  it('publishes CheckedOut with the duration', async () => {
    const o = await org({ name: 'Jämtkraft', type: 'public-company' });
    const m = await member({ name: 'Event Out', email: 'out@jamtkraft.se', organisationId: o.json.id });
    const v = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m.id } });
    await call('POST', `/api/hubs/ostersund/check-ins/${v.json.id}/check-out`, { token: staff });
    await network.idle();
    const events = (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => (e.detail as any).data?.visitId === v.json.id);
    expect(events.map((e) => e['detail-type']).sort()).toEqual(['CheckedIn', 'CheckedOut']);
    expect((events.find((e) => e['detail-type'] === 'CheckedOut')!.detail as any).data).toMatchObject({ durationMinutes: 0, autoClosed: false, memberId: m.id });
  });

  it('answers 404 for an unknown visit', async () => {
    const res = await call('POST', '/api/hubs/ostersund/check-ins/vis_nope/check-out', { token: staff });
    expect(res.status).toBe(404);
    expect(res.json.error.issues[0].path).toBe('path.visitId');
  });
});

describe('GDPR', () => {
  it('exports everything the hub holds about a member (Art. 15)', async () => {
    const o = await org({ name: 'Skolverket', type: 'state-agency' });
    const m = await member({ name: 'Export Person', email: 'export@skolverket.se', organisationId: o.json.id, employerLocation: 'Stockholm' });
    const v = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m.id } });
    const res = await call('GET', `/api/hubs/ostersund/members/${m.id}/export`, { token: staff });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    expect(res.json.member).toMatchObject({ id: m.id, name: 'Export Person', email: 'export@skolverket.se', employerLocation: 'Stockholm' });
    expect(res.json.organisation).toMatchObject({ id: o.json.id, name: 'Skolverket' });
    expect(res.json.visits.map((x: { id: string }) => x.id)).toEqual([v.json.id]);
  });

  it('erases a member everywhere (Art. 17): nothing returns the name or e-mail afterwards', async () => {
    const o = await org({ name: 'Energimyndigheten', type: 'state-agency' });
    const m = await member({ name: 'Zelda Raderbar', email: 'zelda.raderbar@energimyndigheten.se', organisationId: o.json.id });
    const v = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m.id } });
    expect(v.status).toBe(201);
    // A guest of hers checks in (she is e-mailed), and she books a room ahead, on her calendar link.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());
    const guest = await call('POST', '/api/hubs/ostersund/visitors', { token: staff, body: { name: 'Gerd Gästsson', organisationName: 'Jämtkraft', hostMemberId: m.id, expectedDate: today } });
    expect((await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberCode: guest.json.memberCode } })).status).toBe(201);
    let slot: { start: string; end: string } | undefined;
    for (let i = 2; i < 30 && !slot; i++) {
      const date = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
      slot = (await call('GET', `/api/hubs/ostersund/availability?date=${date}&resourceType=room`, { token: staff })).json.resources[0]?.slots.find((s: { available: number }) => s.available === 1);
    }
    const booked = await call('POST', '/api/hubs/ostersund/bookings', { token: staff, body: { resourceId: 'rum-storsjon', memberId: m.id, start: slot!.start, end: slot!.end } });
    expect(booked.status, booked.text).toBe(201);
    await network.idle();
    const mails = async () => {
      const { readdirSync, readFileSync, existsSync } = await import('node:fs');
      const { mailMentions } = await import('../../functions/shared/mail.ts');
      return existsSync(network.mailDir) ? readdirSync(network.mailDir).filter((f) => mailMentions(readFileSync(`${network.mailDir}/${f}`, 'utf8'), ['zelda.raderbar@energimyndigheten.se', 'Zelda Raderbar'])) : [];
    };
    expect(await mails()).toHaveLength(1);

    const erased = await call('DELETE', `/api/hubs/ostersund/members/${m.id}`, { token: staff });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.json).toMatchObject({ id: m.id, erased: true });
    await network.idle();

    const leaks = (text: string) => /Zelda|Raderbar|zelda\.raderbar/i.test(text);
    const responses = await Promise.all([
      call('GET', `/api/hubs/ostersund/members/${m.id}`, { token: staff }),
      call('GET', `/api/hubs/ostersund/members/${m.id}/export`, { token: staff }),
      call('GET', '/api/hubs/ostersund/members?q=raderbar', { token: staff }),
      call('GET', '/api/hubs/ostersund/members?q=zelda', { token: staff }),
      call('GET', '/api/hubs/ostersund/presence', { token: staff }),
      call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberCode: m.memberCode } }),
    ]);
    expect(responses[0]!.status).toBe(404);
    expect(responses[1]!.status).toBe(404);
    expect(responses[2]!.json.members).toEqual([]);
    expect(responses[5]!.status).toBe(404);
    for (const r of responses) expect(leaks(r.text), r.text).toBe(false);

    // The hub table keeps no trace of name or e-mail; the open visit was closed and unlinked.
    const { DynamoDBClient, ScanCommand } = await import('@aws-sdk/client-dynamodb');
    const ddb = new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    const table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith('samverkan-hub-ostersund/'))!)!;
    const items = (await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
    ddb.destroy();
    // Nor of her id: the tombstone is keyed by a hash, her bookings, guest and events in the outbox no longer name her.
    const dump = JSON.stringify(items);
    expect(leaks(dump)).toBe(false);
    expect(dump).not.toContain(m.id);
    expect(items.find((i) => i.pk?.S === `BOOKING#${booked.json.id}`)?.status?.S).toBe('cancelled');
    const visit = items.find((i) => i.pk?.S === `VISIT#${v.json.id}`)!;
    expect(visit.memberId).toBeUndefined();
    expect(visit.checkedOutAt).toBeDefined();

    // Every event that left the hub is free of personal data, and MemberErased went out.
    const events = network.bus.archived.get('samverkan-national-all') ?? [];
    expect(events.some((e) => e['detail-type'] === 'MemberErased' && (e.detail as any).data.memberId === m.id)).toBe(true);
    expect(leaks(JSON.stringify(events))).toBe(false);
    for (const e of events.filter((x) => JSON.stringify(x).includes(m.id))) expect((e.detail as any).data.memberId).toBe(m.id);

    // The mail outbox keeps no mail to or naming her; her calendar link is dead, the room's feed does not name her.
    expect(await mails()).toEqual([]);
    expect((await call('GET', (m as unknown as { calendarUrl: string }).calendarUrl)).status).toBe(403);
    const feed = await call('GET', '/api/hubs/ostersund/resources/rum-storsjon/calendar.ics', { token: staff });
    expect(feed.status).toBe(200);
    expect(leaks(feed.text) || feed.text.includes(m.id)).toBe(false);

    // Erasing again is harmless and answers the same.
    const twice = await call('DELETE', `/api/hubs/ostersund/members/${m.id}`, { token: staff });
    expect(twice.status).toBe(200);
    expect(twice.json.erasedAt).toBe(erased.json.erasedAt);
  });

  it('lets the e-mail of an erased member register again', async () => {
    const o = await org({ name: 'Boverket', type: 'state-agency' });
    const m = await member({ name: 'Again', email: 'again@boverket.se', organisationId: o.json.id });
    expect((await call('DELETE', `/api/hubs/ostersund/members/${m.id}`, { token: staff })).status).toBe(200);
    const again = await member({ name: 'Again', email: 'again@boverket.se', organisationId: o.json.id });
    expect(again.id).not.toBe(m.id);
  });
});

describe('membership agreements', () => {

  it('caps members at the agreement’s seats, even when 20 registrations race for the last 3', async () => {
    const o = await org({ name: 'Tillväxtverket', type: 'state-agency' });
    const agr = await call('POST', `/api/hubs/ostersund/organisations/${o.json.id}/agreements`, { token: staff, body: { seats: 3, validFrom: addDays(today(), -30), validTo: addDays(today(), 365) } });
    expect(agr.status, agr.text).toBe(201);
    expect(agr.json).toMatchObject({ seats: 3, used: 0 });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('POST', '/api/hubs/ostersund/members', { token: staff, body: { name: `Seat ${i}`, email: `seat${i}@tillvaxtverket.se`, organisationId: o.json.id, membership: 'member' } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(17);
    expect(refused[0]!.json.error.message).toMatch(/covers 3 memberships/);
    expect(refused[0]!.json.error.issues[0].path).toBe('body.organisationId');

    const list = await call('GET', `/api/hubs/ostersund/organisations/${o.json.id}/agreements`, { token: staff });
    expect(list.json.agreements[0]).toMatchObject({ id: agr.json.id, used: 3 });
    const search = await call('GET', '/api/hubs/ostersund/members?q=seat', { token: staff });
    expect(search.json.members).toHaveLength(3);

    // Guests do not take a seat; erasing a member frees one.
    const guest = await call('POST', '/api/hubs/ostersund/members', { token: staff, body: { name: 'Seat Guest', email: 'guest@tillvaxtverket.se', organisationId: o.json.id, membership: 'guest' } });
    expect(guest.status).toBe(201);
    const seated = results.find((r) => r.status === 201)!.json;
    expect((await call('DELETE', `/api/hubs/ostersund/members/${seated.id}`, { token: staff })).status).toBe(200);
    const next = await call('POST', '/api/hubs/ostersund/members', { token: staff, body: { name: 'Seat Next', email: 'next@tillvaxtverket.se', organisationId: o.json.id, membership: 'member' } });
    expect(next.status, next.text).toBe(201);
    expect(next.json.agreementId).toBe(agr.json.id);
  });

  it('refuses members when the organisation’s agreements are not in force today', async () => {
    const o = await org({ name: 'Vinnova', type: 'state-agency' });
    const past = await call('POST', `/api/hubs/ostersund/organisations/${o.json.id}/agreements`, { token: staff, body: { seats: 10, validFrom: '2020-01-01', validTo: '2020-12-31' } });
    expect(past.status).toBe(201);
    const res = await call('POST', '/api/hubs/ostersund/members', { token: staff, body: { name: 'Late', email: 'late@vinnova.se', organisationId: o.json.id, membership: 'member' } });
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/no agreement/);
    expect(today() > '2020-12-31').toBe(true);
  });

  it('validates agreements and refuses overlapping periods', async () => {
    const o = await org({ name: 'Myndigheten för yrkeshögskolan', type: 'state-agency' });
    const path = `/api/hubs/ostersund/organisations/${o.json.id}/agreements`;
    expect((await call('POST', path, { token: staff, body: { seats: 0, validFrom: `${thisYear()}-01-01`, validTo: `${thisYear()}-12-31` } })).json.error.issues[0].path).toBe('body.seats');
    expect((await call('POST', path, { token: staff, body: { seats: 5, validFrom: `${thisYear()}-12-01`, validTo: `${thisYear()}-01-01` } })).json.error.issues[0].path).toBe('body.validTo');
    expect((await call('POST', path, { token: staff, body: { seats: 5, validFrom: `${thisYear()}-01-01`, validTo: `${thisYear()}-12-31` } })).status).toBe(201);
    const overlap = await call('POST', path, { token: staff, body: { seats: 5, validFrom: `${thisYear()}-06-01`, validTo: `${thisYear() + 1}-05-31` } });
    expect(overlap.status).toBe(409);
    expect(overlap.json.error.issues[0].path).toBe('body.validFrom');
    expect((await call('POST', '/api/hubs/ostersund/organisations/org_nope/agreements', { token: staff, body: { seats: 5, validFrom: `${thisYear()}-01-01`, validTo: `${thisYear()}-12-31` } })).status).toBe(404);
  });
});

describe('closing time', () => {
  it('closes visits still open after closing time, with the closing time as the end and a flag', async () => {
    const o = await org({ name: 'Skogsstyrelsen', type: 'state-agency' });
    const m = await member({ name: 'Late Leaver', email: 'late@skogsstyrelsen.se', organisationId: o.json.id });
    const v = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m.id } });
    expect(v.status).toBe(201);

    // Before closing, nothing closes; the next morning (00:30 local) the visit has been closed.
    await network.scheduler.fire('samverkan-hub-ostersund/CloseVisitsSchedule', new Date(Date.parse(v.json.checkedInAt) - 60_000));
    expect((await call('GET', '/api/hubs/ostersund/presence', { token: staff })).json.present.map((p: { visitId: string }) => p.visitId)).toContain(v.json.id);

    const { zonedInstant } = await import('../../functions/domain/time.ts');
    const nextDay = new Date(Date.parse(`${v.json.localDate}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await network.scheduler.fire('samverkan-hub-ostersund/CloseVisitsSchedule', zonedInstant(nextDay, '00:30', 'Europe/Stockholm'));
    await network.idle();

    const presence = await call('GET', '/api/hubs/ostersund/presence', { token: staff });
    expect(presence.json.present.map((p: { visitId: string }) => p.visitId)).not.toContain(v.json.id);
    const exported = await call('GET', `/api/hubs/ostersund/members/${m.id}/export`, { token: staff });
    const closed = exported.json.visits.find((x: { id: string }) => x.id === v.json.id);
    expect(closed).toMatchObject({ autoClosed: true });
    expect(Date.parse(closed.checkedOutAt)).toBeGreaterThan(Date.parse(v.json.checkedInAt));
    expect(closed.checkedOutAt.slice(0, 10) <= nextDay).toBe(true);
    const event = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => e['detail-type'] === 'CheckedOut' && (e.detail as any).data.visitId === v.json.id);
    expect((event!.detail as any).data).toMatchObject({ autoClosed: true, checkedOutAt: closed.checkedOutAt });
  });
});

describe('visitors', () => {
  /** The .eml files of the local mail outbox, parsed: `To:`, `Subject:` and the text, one line each. */
  const mails = async () => {
    const { readdirSync, readFileSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { simpleParser } = await import('mailparser');
    if (!existsSync(network.mailDir)) return [] as string[];
    return Promise.all(
      readdirSync(network.mailDir).map(async (f) => {
        const mail = await simpleParser(readFileSync(join(network.mailDir, f)));
        const to = Array.isArray(mail.to) ? mail.to[0]?.text : mail.to?.text;
        return `To: ${to}\nSubject: ${mail.subject}\n\n${mail.text}`;
      }),
    );
  };

  it('pre-registers a guest of a member, and e-mails the host once when the guest checks in', async () => {
    const o = await org({ name: 'Region Jämtland Härjedalen', type: 'region' });
    const host = await member({ name: 'Hanna Värd', email: 'hanna.vard@regionjh.se', organisationId: o.json.id });
    const res = await call('POST', '/api/hubs/ostersund/visitors', {
      token: staff,
      body: { name: 'Gunnar Gäst', organisationName: 'Northvolt', organisationType: 'business', hostMemberId: host.id, expectedDate: today() },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ membership: 'guest', hostMemberId: host.id, expectedDate: today(), memberCode: expect.any(String) });
    expect(res.json.email).toBeUndefined();

    const visit = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberCode: res.json.memberCode } });
    expect(visit.status).toBe(201);
    expect(visit.json.hostMemberId).toBe(host.id);
    await network.idle();
    const sent = (await mails()).filter((m) => m.includes('Gunnar G'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^To: hanna\.vard@regionjh\.se$/m);
    expect(sent[0]).toMatch(/Subject: .*har kommit till/);
    expect(sent[0]).toContain('Northvolt');

    // A redelivered CheckedIn does not e-mail the host again.
    const event = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => e['detail-type'] === 'CheckedIn' && (e.detail as any).data.visitId === visit.json.id)!;
    network.bus.putEvents('samverkan-hub-ostersund', [{ source: event.source, detailType: 'CheckedIn', detail: event.detail }]);
    await network.idle();
    expect((await mails()).filter((m) => m.includes('Gunnar G'))).toHaveLength(1);
  });

  it('checks in a walk-in guest with a host, in the host’s language', async () => {
    const o = await org({ name: 'Mid Sweden Business', type: 'business' });
    const host = await member({ name: 'Harry Host', email: 'harry@miun.se', organisationId: (await org({ name: 'Mittuniversitetet', type: 'university' })).json.id, language: 'en' });
    const guest = await member({ name: 'Walk In', email: 'walk.in@msb.se', organisationId: o.json.id, membership: 'guest' });
    const visit = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: guest.id, hostMemberId: host.id } });
    expect(visit.status, visit.text).toBe(201);
    await network.idle();
    const sent = (await mails()).filter((m) => m.includes('Walk In'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/Subject: Your guest Walk In has arrived/);
  });

  it('sends nothing for members without a host, and validates the visitor', async () => {
    const o = await org({ name: 'Ingen Värd AB', type: 'business' });
    const m = await member({ name: 'No Host Person', email: 'nohost@ingenvard.se', organisationId: o.json.id });
    await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m.id } });
    await network.idle();
    expect((await mails()).filter((x) => x.includes('No Host Person'))).toHaveLength(0);

    const bad = (body: Record<string, unknown>) => call('POST', '/api/hubs/ostersund/visitors', { token: staff, body: { name: 'V', organisationName: 'X', hostMemberId: m.id, expectedDate: today(), ...body } });
    expect((await bad({ hostMemberId: 'mem_nope' })).json.error.issues[0].path).toBe('body.hostMemberId');
    expect((await bad({ expectedDate: '2020-01-01' })).json.error.issues[0].path).toBe('body.expectedDate');
    expect((await bad({ expectedDate: 'tomorrow' })).status).toBe(400);
    const other = await member({ name: 'Self Host', email: 'self@ingenvard.se', organisationId: o.json.id });
    const self = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: other.id, hostMemberId: other.id } });
    expect(self.status).toBe(400);
    expect(self.json.error.issues[0].path).toBe('body.hostMemberId');
    const unknownHost = await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: other.id, hostMemberId: 'mem_nope' } });
    expect(unknownHost.status).toBe(404);
    expect(unknownHost.json.error.issues[0].path).toBe('body.hostMemberId');
  });
});

describe('the organisation directory and business participation', () => {
  it('lists the seed’s organisations with the ids hubs give them', async () => {
    const res = await call('GET', '/api/organisations?q=arbetsf');
    expect(res.status).toBe(200);
    expect(res.json.organisations).toEqual([{ id: expect.stringMatching(/^org_/), name: 'Arbetsförmedlingen', type: 'state-agency', orgNumber: '202100-2114' }]);
    const registered = await org({ name: 'Arbetsförmedlingen', type: 'state-agency', orgNumber: '202100-2114' });
    expect(registered.json.id).toBe(res.json.organisations[0].id);
    const all = await call('GET', '/api/organisations');
    expect(all.json.organisations.length).toBeGreaterThan(40);
    expect(all.json.organisations.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['Luleå tekniska universitet', 'Region Norrbotten', 'Länsstyrelsen Västerbotten', 'Svenska kraftnät']));
  });

  it('counts check-ins from businesses as business participation in the national report', async () => {
    const national = await network.token('national');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());
    const report = async () => (await call('GET', `/api/national/reports?from=${day}&to=${day}&hub=ostersund`, { token: national })).json;
    await network.idle();
    const before = await report();
    const biz = await org({ name: 'Företaget i Jämtland AB', type: 'business' });
    const pub = await org({ name: 'Krokoms kommun', type: 'municipality' });
    const guest = await member({ name: 'Biz Guest', email: 'biz@foretaget.se', organisationId: biz.json.id, membership: 'guest' });
    const partner = await member({ name: 'Partner Person', email: 'partner@krokom.se', organisationId: pub.json.id, membership: 'business-partner' });
    const plain = await member({ name: 'Plain Person', email: 'plain@krokom.se', organisationId: pub.json.id });
    for (const m of [guest, partner, plain]) expect((await call('POST', '/api/hubs/ostersund/check-ins', { token: staff, body: { memberId: m.id } })).status).toBe(201);
    await network.idle();
    const after = await report();
    expect(after.totals.checkIns - before.totals.checkIns).toBe(3);
    expect(after.totals.businessCheckIns - before.totals.businessCheckIns).toBe(2);
    expect(after.hubs[0].days[0]).toMatchObject({ date: day, businessCheckIns: after.totals.businessCheckIns });
  });
});

describe('network-wide agreements', () => {
  it('cap an organisation’s memberships across every hub of the network', async () => {
    const national = await network.token('national');
    const a = await org({ name: 'Statens nätverksverk', type: 'state-agency' });
    const b = await org({ name: 'Statens nätverksverk', type: 'state-agency' }, staffBoden, 'boden');
    expect(b.json.id).toBe(a.json.id);
    const path = `/api/national/organisations/${a.json.id}/agreements`;
    const agr = await call('POST', path, { token: national, body: { seats: 2, validFrom: addDays(today(), -30), validTo: addDays(today(), 365) } });
    expect(agr.status, agr.text).toBe(201);
    expect(agr.json).toMatchObject({ scope: 'network', seats: 2, used: 0 });

    const first = await member({ name: 'Net One', email: 'one@natverk.se', organisationId: a.json.id });
    expect(first).toMatchObject({ agreementId: agr.json.id, agreementScope: 'network' });
    await member({ name: 'Net Two', email: 'two@natverk.se', organisationId: a.json.id }, staffBoden, 'boden');
    const third = await call('POST', '/api/hubs/boden/members', { token: staffBoden, body: { name: 'Net Three', email: 'three@natverk.se', organisationId: a.json.id, membership: 'member' } });
    expect(third.status).toBe(409);
    expect(third.json.error.message).toMatch(/covers 2 memberships across the network/);
    expect((await call('GET', path, { token: national })).json.agreements[0].used).toBe(2);

    // Erasing a member at Östersund frees a seat for Boden.
    expect((await call('DELETE', `/api/hubs/ostersund/members/${first.id}`, { token: staff })).status).toBe(200);
    const again = await call('POST', '/api/hubs/boden/members', { token: staffBoden, body: { name: 'Net Three', email: 'three@natverk.se', organisationId: a.json.id, membership: 'member' } });
    expect(again.status, again.text).toBe(201);
    expect((await call('GET', path, { token: national })).json.agreements[0].used).toBe(2);
  });

  it('apply when the hub’s own agreement with the organisation has ended', async () => {
    const national = await network.token('national');
    const o = await org({ name: 'Statens övergångsverk', type: 'state-agency' });
    expect((await call('POST', `/api/hubs/ostersund/organisations/${o.json.id}/agreements`, { token: staff, body: { seats: 5, validFrom: '2020-01-01', validTo: '2020-12-31' } })).status).toBe(201);
    const agr = await call('POST', `/api/national/organisations/${o.json.id}/agreements`, { token: national, body: { seats: 1, validFrom: addDays(today(), -30), validTo: addDays(today(), 365) } });
    const m = await member({ name: 'Over Gang', email: 'over@overgang.se', organisationId: o.json.id });
    expect(m).toMatchObject({ agreementId: agr.json.id, agreementScope: 'network' });
  });

  it('are kept by national administrators only, for well-formed organisation ids', async () => {
    const national = await network.token('national');
    const body = { seats: 5, validFrom: `${thisYear()}-01-01`, validTo: `${thisYear()}-12-31` };
    expect((await call('POST', '/api/national/organisations/org_0123456789abcdef01234567/agreements', { token: staff, body })).status).toBe(403);
    const bad = await call('POST', '/api/national/organisations/not-an-org/agreements', { token: national, body });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('path.organisationId');
    const badBody = await call('POST', '/api/national/organisations/org_0123456789abcdef01234567/agreements', { token: national, body: { ...body, seats: -1 } });
    expect(badBody.json.error.issues[0].path).toBe('body.seats');
  });
});
