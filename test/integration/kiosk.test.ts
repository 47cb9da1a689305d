/**
 * The entrance kiosk's route, `POST /api/hubs/{hubId}/kiosk/check`: a member checks in and out by
 * member code or the QR payload of their card; the answer holds their first name and the time only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let member: { id: string; memberCode: string; qrPayload: string };

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', 'umea');
  const org = await call('POST', '/api/hubs/umea/organisations', { token: staff, body: { name: 'Kioskverket', type: 'state-agency' } });
  expect([200, 201], org.text).toContain(org.status);
  const m = await call('POST', '/api/hubs/umea/members', { token: staff, body: { membership: 'member', name: 'Kim Kioskdotter Berg', email: 'kim@kioskverket.se', organisationId: org.json.id } });
  expect(m.status, m.text).toBe(201);
  member = m.json;
}, 120_000);

afterAll(async () => {
  await network?.stop();
});

const kiosk = (body: unknown, token = staff, hub = 'umea') => call('POST', `/api/hubs/${hub}/kiosk/check`, { token, body });

describe('the kiosk route', () => {
  it('checks in by code and out by QR payload, answering only the first name and the time', async () => {
    const started = Date.now();
    const inRes = await kiosk({ memberCode: member.memberCode.toLowerCase(), action: 'in' });
    expect(inRes.status, inRes.text).toBe(200);
    expect(Object.keys(inRes.json).sort()).toEqual(['action', 'already', 'at', 'firstName']);
    expect(inRes.json).toMatchObject({ action: 'in', firstName: 'Kim', already: false });
    expect(Date.parse(inRes.json.at)).toBeGreaterThanOrEqual(started - 1000);
    const presence = await call('GET', '/api/hubs/umea/presence', { token: staff });
    expect(presence.json.present.map((p: { memberId: string }) => p.memberId)).toEqual([member.id]);

    // Again: already in, the same visit's time.
    const again = await kiosk({ memberCode: member.qrPayload, action: 'in' });
    expect(again.json).toEqual({ ...inRes.json, already: true });

    const out = await kiosk({ memberCode: member.qrPayload, action: 'out' });
    expect(out.status, out.text).toBe(200);
    expect(out.json).toMatchObject({ action: 'out', firstName: 'Kim', already: false });
    expect((await call('GET', '/api/hubs/umea/presence', { token: staff })).json.present).toEqual([]);
  });

  it('names the field: not checked in 409, unknown code 404, wrong action or hub QR 400', async () => {
    const notIn = await kiosk({ memberCode: member.memberCode, action: 'out' });
    expect(notIn.status).toBe(409);
    expect(notIn.json.error.issues[0]).toEqual({ path: 'body.memberCode', message: 'Not checked in' });
    const unknown = await kiosk({ memberCode: 'ZZZZZZZZ', action: 'in' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.issues[0].path).toBe('body.memberCode');
    const action = await kiosk({ memberCode: member.memberCode, action: 'maybe' });
    expect(action.status).toBe(400);
    expect(action.json.error.issues[0].path).toBe('body.action');
    const empty = await kiosk({ memberCode: ' ', action: 'in' });
    expect(empty.status).toBe(400);
    expect(empty.json.error.issues[0].path).toBe('body.memberCode');
    const otherHub = await kiosk({ memberCode: `SAMVERKAN:boden:${member.memberCode}`, action: 'in' });
    expect(otherHub.status).toBe(400);
    expect(otherHub.json.error.issues[0].path).toBe('body.memberCode');
  });

  it('is staff of the hub only', async () => {
    expect((await call('POST', '/api/hubs/umea/kiosk/check', { body: { memberCode: member.memberCode, action: 'in' } })).status).toBe(401);
    expect((await kiosk({ memberCode: member.memberCode, action: 'in' }, await network.token('staff', 'boden'))).status).toBe(403);
  });
});
