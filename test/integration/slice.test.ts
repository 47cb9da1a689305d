import { ScanCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { LOCAL } from '../../local/cfn.ts';
import { thisYear } from '../support/dates.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staffUmea: string;
let staffLulea: string;
let national: string;
let ddb: DynamoDBClient;

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

function hubTable(hubId: string): string {
  const name = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${hubId}/`))!);
  if (!name) throw new Error(`no table for ${hubId}`);
  return name;
}

async function itemCount(hubId: string): Promise<number> {
  const res = await ddb.send(new ScanCommand({ TableName: hubTable(hubId), Select: 'COUNT', ConsistentRead: true }));
  return res.Count ?? 0;
}

async function registerOrg(token = staffUmea, hub = 'umea', body: Record<string, unknown> = { name: 'Arbetsförmedlingen', type: 'state-agency', homeMunicipality: 'Stockholm' }) {
  const res = await call('POST', `/api/hubs/${hub}/organisations`, { token, body });
  expect([200, 201], res.text).toContain(res.status);
  return res.json as { id: string };
}

async function registerMember(orgId: string, email: string, hub = 'umea', token = staffUmea) {
  const res = await call('POST', `/api/hubs/${hub}/members`, { token, body: { name: 'Anna Berg', email, organisationId: orgId, membership: 'member' } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; memberCode: string };
}

async function nationalCount(hub: string): Promise<number> {
  const res = await call('GET', `/api/national/reports?from=${today()}&to=${today()}&hub=${hub}`, { token: national });
  expect(res.status, res.text).toBe(200);
  return res.json.totals.checkIns as number;
}

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staffUmea = await network.token('staff', 'umea');
  staffLulea = await network.token('staff', 'lulea');
  national = await network.token('national');
  ddb = new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: LOCAL.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  ddb?.destroy();
  await network?.stop();
});

describe('the hub directory', () => {
  it('lists the six shipped hubs without a token', async () => {
    const res = await call('GET', '/api/hubs');
    expect(res.status).toBe(200);
    expect(res.json.hubs.map((h: { id: string }) => h.id).sort()).toEqual(['boden', 'lulea', 'ostersund', 'skelleftea', 'stockholm', 'umea']);
  });

  it('returns one hub with its resources in the contract vocabulary', async () => {
    const res = await call('GET', '/api/hubs/boden');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'boden', city: 'Boden', timezone: 'Europe/Stockholm', hostVenue: { name: 'Boden Business Park' } });
    for (const r of res.json.resources) expect(['desk', 'desk-pool', 'room', 'event-space']).toContain(r.type);
    expect(res.json.resources.find((r: { type: string }) => r.type === 'desk-pool').count).toBeGreaterThan(0);
  });

  it('answers 404 in the contract shape for an unknown hub', async () => {
    const res = await call('GET', '/api/hubs/kiruna');
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', issues: [{ path: 'path.hubId' }] });
    expect((await call('POST', '/api/hubs/kiruna/members', { token: staffUmea, body: {} })).status).toBe(404);
  });

  it('serves the OpenAPI document generated from the zod schemas', async () => {
    const res = await call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    const body = res.json.paths['/api/hubs/{hubId}/members'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'email', 'organisationId', 'membership']));
    expect(body.properties.membership.enum).toEqual(['member', 'guest', 'business-partner']);
    // Pages, calendars and files answer HEAD too, documented without a body; JSON routes do not.
    const view = res.json.paths['/api/national/reports/view'];
    expect(view.head).toMatchObject({ operationId: 'reportViewHead', responses: { '200': { description: 'OK' } } });
    expect(view.head.responses['200'].content).toBeUndefined();
    expect(res.json.paths['/api/hubs/{hubId}/members'].head).toBeUndefined();
  });
});

describe('the slice: organisation → member → check-in → national count', () => {
  it('counts a check-in in the national report after it crossed hub bus and national bus', async () => {
    const org = await registerOrg();
    const member = await registerMember(org.id, 'anna.slice@af.se');
    expect(member.memberCode).toMatch(/^[2-9A-HJKMNP-TV-Z]{8}$/);
    const before = await nationalCount('umea');

    const res = await call('POST', '/api/hubs/umea/check-ins', { token: staffUmea, body: { memberCode: member.memberCode.toLowerCase() } });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ id: res.json.visitId, memberId: member.id, organisationId: org.id, hubId: 'umea', localDate: today() });

    await eventually(async () => (await nationalCount('umea')) === before + 1);
    await network.idle();
    expect(await nationalCount('umea')).toBe(before + 1);
    const archived = network.bus.archived.get('samverkan-national-all') ?? [];
    expect(archived.filter((e) => e['detail-type'] === 'CheckedIn' && (e.detail as any).data.visitId === res.json.id)).toHaveLength(1);
    const event = archived.find((e) => (e.detail as any).data.visitId === res.json.id)!;
    expect(event.source).toBe('samverkan.hub.umea');
    expect(event.detail).toMatchObject({ metadata: { eventType: 'CheckedIn', schemaVersion: 2, hubId: 'umea' } });
  });

  it('returns the open visit (200) instead of a second one when the member is already in', async () => {
    const org = await registerOrg();
    const member = await registerMember(org.id, 'twice@af.se');
    const first = await call('POST', '/api/hubs/umea/check-ins', { token: staffUmea, body: { memberId: member.id } });
    const second = await call('POST', '/api/hubs/umea/check-ins', { token: staffUmea, body: { memberCode: member.memberCode } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.id).toBe(first.json.id);
  });

  it('opens exactly one visit when 20 check-ins for one member race', async () => {
    const org = await registerOrg();
    const member = await registerMember(org.id, 'race@af.se');
    const results = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/api/hubs/umea/check-ins', { token: staffUmea, body: { memberId: member.id } })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    const scan = await ddb.send(new ScanCommand({ TableName: hubTable('umea'), ConsistentRead: true, FilterExpression: 'entity = :v AND memberId = :m', ExpressionAttributeValues: { ':v': { S: 'visit' }, ':m': { S: member.id } } }));
    expect(scan.Items).toHaveLength(1);
  });

  it('treats organisation numbers: Luhn-checked, canonical form, one organisation per number', async () => {
    const ok = await call('POST', '/api/hubs/umea/organisations', { token: staffUmea, body: { name: 'Skatteverket', type: 'state-agency', orgNumber: '2021005448' } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json.orgNumber).toBe('202100-5448');
    const before = await itemCount('umea');
    const again = await call('POST', '/api/hubs/umea/organisations', { token: staffUmea, body: { name: 'Skatteverket, Umeå', type: 'state-agency', orgNumber: '202100-5448' } });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(ok.json);
    expect(await itemCount('umea')).toBe(before);
  });

  it('rejects a second member with the same e-mail at the hub (409) and stores nothing', async () => {
    const org = await registerOrg();
    await registerMember(org.id, 'Same@Example.se');
    const before = await itemCount('umea');
    const res = await call('POST', '/api/hubs/umea/members', { token: staffUmea, body: { name: 'Other', email: 'same@example.se', organisationId: org.id, membership: 'guest' } });
    expect(res.status).toBe(409);
    expect(res.json.error.issues[0].path).toBe('body.email');
    expect(await itemCount('umea')).toBe(before);
  });
});

describe('bad input gets a 4xx naming the field and changes nothing', () => {
  const cases: Array<[string, string, unknown, number, string]> = [
    ['organisations', 'missing name', { type: 'state-agency' }, 400, 'body.name'],
    ['organisations', 'unknown type', { name: 'X', type: 'ministry' }, 400, 'body.type'],
    ['organisations', 'bad org number', { name: 'X', type: 'business', orgNumber: '556677-8890' }, 400, 'body.orgNumber'],
    ['organisations', 'unknown field', { name: 'X', type: 'business', colour: 'red' }, 400, 'body'],
    ['members', 'bad e-mail', { name: 'A', email: 'not-an-email', organisationId: 'org_x', membership: 'member' }, 400, 'body.email'],
    ['members', 'bad membership', { name: 'A', email: 'a@b.se', organisationId: 'org_x', membership: 'vip' }, 400, 'body.membership'],
    ['members', 'empty name', { name: '  ', email: 'a@b.se', organisationId: 'org_x', membership: 'member' }, 400, 'body.name'],
    ['members', 'unknown organisation', { name: 'A', email: 'a@b.se', organisationId: 'org_nope', membership: 'member' }, 404, 'body.organisationId'],
    ['check-ins', 'neither id nor code', {}, 400, 'body.memberId'],
    ['check-ins', 'both id and code', { memberId: 'mem_x', memberCode: 'ABCDEFGH' }, 400, 'body.memberCode'],
    ['check-ins', 'unknown member', { memberId: 'mem_nope' }, 404, 'body.memberId'],
    ['check-ins', 'unknown code', { memberCode: 'ZZZZZZZZ' }, 404, 'body.memberCode'],
  ];
  it.each(cases)('POST %s with %s → %s naming %s', async (route, _what, body, status, path) => {
    const before = await itemCount('umea');
    const res = await call('POST', `/api/hubs/umea/${route}`, { token: staffUmea, body });
    expect(res.status, res.text).toBe(status);
    expect(res.json.error.message).toBeTruthy();
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await itemCount('umea')).toBe(before);
  });

  it('rejects malformed JSON with 400 naming the body', async () => {
    const res = await call('POST', '/api/hubs/umea/organisations', { token: staffUmea, rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0].path).toBe('body');
  });

  it('rejects a body that is not declared as JSON with 415 naming the header', async () => {
    const before = await itemCount('umea');
    const res = await call('POST', '/api/hubs/umea/organisations', { token: staffUmea, rawBody: '{"name":"X","type":"business"}', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.json.error.issues[0].path).toBe('header.content-type');
    expect(await itemCount('umea')).toBe(before);
  });

  it('rejects a missing body with 400', async () => {
    const res = await call('POST', '/api/hubs/umea/check-ins', { token: staffUmea });
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0].path).toBe('body');
  });

  it('validates the report query, naming the parameter', async () => {
    const res = await call('GET', `/api/national/reports?from=${thisYear()}-13-01&to=${thisYear()}-01-01`, { token: national });
    expect(res.status).toBe(400);
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain('query.from');
    const reversed = await call('GET', `/api/national/reports?from=${thisYear()}-02-01&to=${thisYear()}-01-01`, { token: national });
    expect(reversed.status).toBe(400);
    expect(reversed.json.error.issues[0].path).toBe('query.to');
    const unknownHub = await call('GET', `/api/national/reports?from=${thisYear()}-01-01&to=${thisYear()}-01-02&hub=kiruna`, { token: national });
    expect(unknownHub.status).toBe(404);
  });
});

describe('authentication and authorisation', () => {
  it('answers 401 without a token, before looking at the body', async () => {
    const res = await call('POST', '/api/hubs/umea/organisations', { body: { nonsense: true } });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
  });

  it('answers 403 to staff of another hub, and changes nothing there', async () => {
    const before = await itemCount('umea');
    const res = await call('POST', '/api/hubs/umea/organisations', { token: staffLulea, body: { name: 'X', type: 'business' } });
    expect(res.status).toBe(403);
    expect(await itemCount('umea')).toBe(before);
  });

  it('gives staff the report of their own hub only, and 403 for another hub', async () => {
    const own = await call('GET', `/api/national/reports?from=${today()}&to=${today()}`, { token: staffUmea });
    expect(own.status, own.text).toBe(200);
    expect(own.json.hubs.map((h: { hubId: string }) => h.hubId)).toEqual(['umea']);
    const other = await call('GET', `/api/national/reports?from=${today()}&to=${today()}&hub=lulea`, { token: staffUmea });
    expect(other.status).toBe(403);
    const researcher = await call('GET', '/api/national/reports', { token: await network.token('researcher') });
    expect(researcher.status).toBe(403);
  });

  it('answers 401 to expired, tampered, foreign-audience and foreign-key tokens', async () => {
    const expired = await network.idp.sign({ role: 'staff', hub: 'umea', expiresInSeconds: -60 });
    const [h, p, s] = staffUmea.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['staff-lulea'] })).toString('base64url')}.${s}`;
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const foreignKey = await new SignJWT({ 'cognito:groups': ['staff-umea'], token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: network.idp.jwks.keys[0]!.kid! })
      .setIssuer(network.idp.issuer)
      .setAudience(network.idp.audience)
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(privateKey);
    for (const token of [expired, tampered, foreignKey, 'not-a-jwt']) {
      const res = await call('GET', `/api/national/reports?from=${today()}&to=${today()}`, { token });
      expect(res.status, token.slice(0, 20)).toBe(401);
      const hubRes = await call('POST', '/api/hubs/umea/check-ins', { token, body: { memberId: 'mem_x' } });
      expect(hubRes.status).toBe(401);
    }
  });

  it('answers 401 to a token for another audience or issuer', async () => {
    const { SignJWT, importJWK } = await import('jose');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { inject } = await import('vitest');
    const jwk = JSON.parse(readFileSync(join(inject('dataDir'), 'data', 'local-idp', 'key.json'), 'utf8'));
    const key = await importJWK(jwk, 'RS256');
    const sign = (iss: string, aud: string) =>
      new SignJWT({ 'cognito:groups': ['national'], token_use: 'id' }).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).setIssuer(iss).setAudience(aud).setSubject('x').setExpirationTime('1h').sign(key);
    const good = await sign(network.idp.issuer, network.idp.audience);
    expect((await call('GET', `/api/national/reports?from=${today()}&to=${today()}`, { token: good })).status).toBe(200);
    for (const token of [await sign(network.idp.issuer, 'some-other-client'), await sign('https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_other', network.idp.audience)]) {
      expect((await call('GET', `/api/national/reports?from=${today()}&to=${today()}`, { token })).status).toBe(401);
    }
  });
});
