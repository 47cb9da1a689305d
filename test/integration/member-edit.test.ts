/**
 * Changing a member, `PATCH /api/hubs/{hubId}/members/{memberId}`: name, e-mail and language; the
 * e-mail guard moves in the same transaction (a taken e-mail is 409 and changes nothing), the search
 * follows the name, the presence list shows the new name, and erasure after a change still leaves
 * nothing that names the member (old or new name and e-mail).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

const HUB = 'umea';
const base = `/api/hubs/${HUB}`;
let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let orgId: string;
let db: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', HUB);
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Ändringsverket', type: 'state-agency' } });
  orgId = org.json.id;
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${HUB}/`))!)!;
}, 120_000);

afterAll(async () => {
  db?.destroy();
  await network?.stop();
});

async function member(name: string, email: string) {
  const res = await call('POST', `${base}/members`, { token: staff, body: { name, email, organisationId: orgId, membership: 'member' } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; memberCode: string };
}
const patch = (id: string, body: unknown, token = staff, hub = HUB) => call('PATCH', `/api/hubs/${hub}/members/${id}`, { token, body });
const find = async (q: string) => ((await call('GET', `${base}/members?q=${encodeURIComponent(q)}`, { token: staff })).json.members as { id: string }[]).map((m) => m.id);

async function tableText(): Promise<string> {
  const items: unknown[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(res.Items ?? []));
    startKey = res.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (startKey);
  return JSON.stringify(items).toLowerCase();
}

describe('changing a member', () => {
  it('changes name, e-mail and language; the search and the presence list follow', async () => {
    const m = await member('Greta Gammalnamn', 'greta.gammal@andringsverket.se');
    expect((await call('POST', `${base}/check-ins`, { token: staff, body: { memberId: m.id } })).status).toBe(201);
    const res = await patch(m.id, { name: 'Greta Nyttnamn', email: 'Greta.Ny@Andringsverket.se', language: 'en' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: m.id, memberCode: m.memberCode, name: 'Greta Nyttnamn', email: 'greta.ny@andringsverket.se', language: 'en', organisationId: orgId });
    expect((await call('GET', `${base}/members/${m.id}`, { token: staff })).json).toMatchObject({ name: 'Greta Nyttnamn', email: 'greta.ny@andringsverket.se' });
    expect(await find('nyttnamn')).toEqual([m.id]);
    expect(await find('gammalnamn')).toEqual([]);
    expect(await find('greta.ny@andringsverket.se')).toEqual([m.id]);
    expect(await find('greta.gammal@andringsverket.se')).toEqual([]);
    const presence = await call('GET', `${base}/presence`, { token: staff });
    expect(presence.json.present.find((p: { memberId: string }) => p.memberId === m.id).name).toBe('Greta Nyttnamn');
    // The old e-mail is free for someone else; the new one is not.
    await member('Annan Person', 'greta.gammal@andringsverket.se');
    const taken = await call('POST', `${base}/members`, { token: staff, body: { name: 'Tredje', email: 'greta.ny@andringsverket.se', organisationId: orgId, membership: 'member' } });
    expect(taken.status).toBe(409);
  });

  it('refuses an e-mail another member has with 409 naming body.email, and changes nothing', async () => {
    const a = await member('Alva Först', 'alva@andringsverket.se');
    const b = await member('Bo Sedan', 'bo@andringsverket.se');
    const res = await patch(b.id, { name: 'Bo Ändrad', email: 'ALVA@andringsverket.se' });
    expect(res.status).toBe(409);
    expect(res.json.error.issues[0]).toEqual({ path: 'body.email', message: 'Already registered' });
    expect((await call('GET', `${base}/members/${b.id}`, { token: staff })).json).toMatchObject({ name: 'Bo Sedan', email: 'bo@andringsverket.se' });
    expect(await find('ändrad')).toEqual([]);
    expect(await find('alva@andringsverket.se')).toEqual([a.id]);
  });

  it('names the field of bad input (400), an unknown member (404) and is staff of the hub only (403)', async () => {
    const m = await member('Cilla Fält', 'cilla@andringsverket.se');
    const bad = await patch(m.id, { email: 'cilla@' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('body.email');
    const empty = await patch(m.id, { name: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.json.error.issues[0].path).toBe('body.name');
    const nothing = await patch(m.id, {});
    expect(nothing.status).toBe(400);
    expect(nothing.json.error.issues[0].path).toBe('body.name');
    const extra = await patch(m.id, { memberCode: 'AAAAAAAA' });
    expect(extra.status).toBe(400);
    expect(extra.json.error.issues[0].path).toMatch(/^body/);
    const unknown = await patch('mem_nobody', { name: 'X Y' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.issues[0].path).toBe('path.memberId');
    expect((await patch(m.id, { name: 'Från Boden' }, await network.token('staff', 'boden'))).status).toBe(403);
    expect((await call('PATCH', `${base}/members/${m.id}`, { body: { name: 'Anonym' } })).status).toBe(401);
  });

  it('is followed by a complete erasure: neither the old nor the new name or e-mail is left', async () => {
    const m = await member('Doris Förrnamn', 'doris.forr@andringsverket.se');
    expect((await patch(m.id, { name: 'Doris Sennamn', email: 'doris.sen@andringsverket.se' })).status).toBe(200);
    expect(await tableText()).toContain('doris.forr@andringsverket.se'); // kept for erasure (formerEmails)
    const erased = await call('DELETE', `${base}/members/${m.id}`, { token: staff });
    expect(erased.status, erased.text).toBe(200);
    const text = await tableText();
    for (const mention of ['förrnamn', 'sennamn', 'doris.forr@andringsverket.se', 'doris.sen@andringsverket.se', m.memberCode.toLowerCase()]) expect(text).not.toContain(mention);
    // Both e-mails are free again.
    await member('Ny Doris', 'doris.forr@andringsverket.se');
    await member('Ny Doris Två', 'doris.sen@andringsverket.se');
  });
});
