import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let orgId: string;

const HUB = 'umea';
const base = `/api/hubs/${HUB}`;

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', HUB);
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Hostile Input AB', type: 'business' } });
  expect([200, 201], org.text).toContain(org.status);
  orgId = org.json.id;
});

afterAll(async () => {
  await network?.stop();
});

/** A request over a plain socket: the path is sent exactly as given, the body as raw bytes. */
function raw(method: string, path: string, options: { headers?: Record<string, string | number>; body?: Buffer; expectContinue?: boolean } = {}) {
  const url = new URL(network.url);
  return new Promise<{ status: number; text: string; json: any; sentBody: boolean }>((resolve, reject) => {
    let sentBody = false;
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { ...options.headers, ...(options.expectContinue ? { expect: '100-continue' } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json, sentBody });
      });
    });
    req.on('error', reject);
    if (options.expectContinue) {
      req.on('continue', () => {
        sentBody = true;
        req.end(options.body);
      });
    } else {
      sentBody = options.body !== undefined;
      req.end(options.body);
    }
  });
}

const member = (name: unknown, extra: Record<string, unknown> = {}) => ({ name, email: `m${Math.random().toString(36).slice(2)}@example.se`, organisationId: orgId, membership: 'member', ...extra });

function expectIssue(res: { status: number; json: any; text: string }, status: number, path: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.json?.error, res.text).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  expect(res.json.error.issues.map((i: { path: string }) => i.path), res.text).toContain(path);
}

describe('path parameters', () => {
  const long = '€'.repeat(700); // 2.1 KB of UTF-8: more than DynamoDB takes as a key

  it('answer 400 naming the parameter for an over-long id, even on the public member calendar route', async () => {
    expectIssue(await call('GET', `${base}/members/${encodeURIComponent(long)}/calendar.ics?key=x`), 400, 'path.memberId');
    expectIssue(await call('GET', `${base}/members/${encodeURIComponent(long)}/calendar.ics`), 400, 'path.memberId');
    expectIssue(await call('GET', `${base}/members/${encodeURIComponent(long)}`, { token: staff }), 400, 'path.memberId');
    expectIssue(await call('DELETE', `${base}/bookings/${'b'.repeat(2048)}`, { token: staff }), 400, 'path.bookingId');
    expectIssue(await call('GET', `${base}/resources/${encodeURIComponent(long)}/calendar.ics`, { token: staff }), 400, 'path.resourceId');
    expectIssue(await call('POST', `${base}/check-ins/${encodeURIComponent(long)}/check-out`, { token: staff }), 400, 'path.visitId');
    expectIssue(await call('GET', `${base}/organisations/${encodeURIComponent(long)}/agreements`, { token: staff }), 400, 'path.organisationId');
  });

  it('answer 400 for ids with characters no id has, and 404 for unknown well-formed ones', async () => {
    expectIssue(await call('GET', `${base}/members/${encodeURIComponent('mem_1 OR 1=1')}`, { token: staff }), 400, 'path.memberId');
    expectIssue(await call('GET', `/api/hubs/${encodeURIComponent('umeå')}`), 400, 'path.hubId');
    expectIssue(await call('GET', `/api/hubs/${'x'.repeat(300)}`), 400, 'path.hubId');
    expectIssue(await call('GET', `${base}/members/mem_doesnotexist`, { token: staff }), 404, 'path.memberId');
  });

  it('are checked after the token: no token is still 401', async () => {
    expect((await call('GET', `${base}/members/${encodeURIComponent(long)}`)).status).toBe(401);
  });

  it('are described in the OpenAPI document', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json;
    const params = doc.paths['/api/hubs/{hubId}/members/{memberId}/calendar.ics'].get.parameters;
    const memberId = params.find((p: { name: string; in: string }) => p.name === 'memberId' && p.in === 'path');
    expect(memberId.schema).toMatchObject({ type: 'string', maxLength: 64, pattern: expect.any(String) });
    expect(params.find((p: { name: string }) => p.name === 'hubId').schema.pattern).toBeDefined();
  });
});

describe('malformed percent-escapes in the path', () => {
  for (const bad of ['%ff', '%', '%zz', '%e2%82']) {
    it(`answer 400 with the error body for ${bad}`, async () => {
      const res = await raw('GET', `${base}/members/${bad}`, { headers: { authorization: `Bearer ${staff}` } });
      expectIssue(res, 400, 'path.memberId');
    });
  }

  it('answer 400 on the staff app too', async () => {
    expectIssue(await raw('GET', '/%ff.html'), 400, 'path');
  });
});

describe('request size', () => {
  it('answers 413 with the error body to a body over the limit, and the connection delivers it', async () => {
    const body = JSON.stringify(member('x'.repeat(7 * 1024 * 1024)));
    const res = await fetch(`${network.url}${base}/members`, { method: 'POST', headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    const json = (await res.json()) as any;
    expect(json.error).toMatchObject({ code: 'payload_too_large', issues: [{ path: 'body' }] });
  });

  it('answers 413 to "Expect: 100-continue" without taking the body', async () => {
    const body = Buffer.alloc(7 * 1024 * 1024, 0x20);
    const res = await raw('POST', `${base}/members`, { headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json', 'content-length': body.length }, body, expectContinue: true });
    expect(res.status).toBe(413);
    expect(res.sentBody).toBe(false);
    expect(res.json.error.code).toBe('payload_too_large');
  });

  it('takes a body just under the limit to the function (which validates it)', async () => {
    const res = await call('POST', `${base}/members`, { token: staff, body: member('x'.repeat(5 * 1024 * 1024)) });
    expectIssue(res, 400, 'body.name');
  });

  it('answers 431 with the error body to headers over the limit', async () => {
    const res = await raw('GET', `${base}/presence`, { headers: { authorization: `Bearer ${staff}`, 'x-padding': 'p'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.json.error).toMatchObject({ code: 'headers_too_large', issues: [{ path: 'header' }] });
  });

  it('answers 400 with the error body to a request Node cannot parse', async () => {
    const url = new URL(network.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /api/hubs HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'));
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString('utf8')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code).toBe('bad_request');
  });
});

describe('text encoding and control characters', () => {
  it('rejects a JSON body that is not valid UTF-8 with 400 naming the body, and stores nothing', async () => {
    const before = Buffer.from(JSON.stringify(member('Ogiltig \u0001')).replace('\\u0001', '@@'));
    const bytes = Buffer.concat([before.subarray(0, before.indexOf('@@')), Buffer.from([0xff, 0xfe]), before.subarray(before.indexOf('@@') + 2)]);
    const res = await raw('POST', `${base}/members`, { headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json' }, body: bytes });
    expectIssue(res, 400, 'body');
    expect((await call('GET', `${base}/members?q=Ogiltig`, { token: staff })).json.members).toEqual([]);
  });

  for (const [label, name] of [
    ['NUL', 'Anna\u0000Berg'],
    ['CR/LF', 'Anna\r\nBerg'],
    ['a tab', 'Anna\tBerg'],
    ['DEL', 'Anna\u007fBerg'],
    ['a C1 control', 'Anna\u0085Berg'],
    ['U+2028', 'Anna\u2028Berg'],
    ['U+2029', 'Anna\u2029Berg'],
    ['a right-to-left override (U+202E: shown reversed)', '\u202eAnna Berg\u202c'],
    ['a first-strong isolate (U+2068)', 'Anna \u2068Berg\u2069'],
    ['a lone high surrogate', 'Anna\ud800Berg'],
    ['a lone low surrogate', 'Anna\udc00Berg'],
  ] as const) {
    it(`rejects a name with ${label} (400 body.name)`, async () => {
      expectIssue(await call('POST', `${base}/members`, { token: staff, body: member(name) }), 400, 'body.name');
    });
  }

  it('rejects a name that would inject an event into the member calendar feed', async () => {
    expectIssue(await call('POST', `${base}/members`, { token: staff, body: member('X\r\nBEGIN:VEVENT\r\nSUMMARY:INJECTED\r\nEND:VEVENT') }), 400, 'body.name');
  });

  it('rejects control characters in every kind of string field', async () => {
    expectIssue(await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Org\u0000', type: 'business' } }), 400, 'body.name');
    expectIssue(await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Org', type: 'business', orgNumber: '5560\u0000' } }), 400, 'body.orgNumber');
    expectIssue(await call('POST', `${base}/check-ins`, { token: staff, body: { memberCode: 'AB\u2028C' } }), 400, 'body.memberCode');
    expectIssue(await call('GET', `${base}/members?q=${encodeURIComponent('an\u0000na')}`, { token: staff }), 400, 'query.q');
    expectIssue(await call('GET', `/api/organisations?q=${encodeURIComponent('a\u0007')}`), 400, 'query.q');
    expectIssue(await call('GET', `${base}/members/mem_x/calendar.ics?key=${encodeURIComponent('k\u0000')}`), 400, 'query.key');
  });

  it('keeps accepting ordinary names, with non-Latin letters and emoji', async () => {
    const res = await call('POST', `${base}/members`, { token: staff, body: member('Åsa Ñúñez-Öberg 😀 李') });
    expect(res.status, res.text).toBe(201);
    expect(res.json.name).toBe('Åsa Ñúñez-Öberg 😀 李');
  });
});

describe('tokens', () => {
  it('refuse a token from the local IdP issued 10 minutes in the future (401 naming iat)', async () => {
    const future = await network.idp.sign({ role: 'staff', hub: HUB, issuedAt: Math.floor(Date.now() / 1000) + 600 });
    const res = await call('GET', `${base}/presence`, { token: future });
    expect(res.status, res.text).toBe(401);
    expect(res.json.error.message).toContain('"iat"');
  });
});
