/**
 * The network directory over HTTP against DynamoDB Local: a member of Umeå opts in at the desk,
 * staff of Boden find them at once; opt-out removes them at once; nobody is listed without
 * opting in; the export shows profile and consent; erasure leaves nothing in the hub or network
 * tables; bad input is refused naming the field; who may do what.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_CONSENT } from '../../functions/directory/directory.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let db: DynamoDBDocumentClient;
const tokens: Record<string, string> = {};
let orgId: string;
let seq = 0;

const umea = '/api/hubs/umea';
const CONSENT = DIRECTORY_CONSENT.version;

async function member(name: string) {
  const i = ++seq;
  const res = await call('POST', `${umea}/members`, { token: tokens.umea, body: { name, email: `person${i}.${Date.now()}@regionvasterbotten.se`, organisationId: orgId, membership: 'member' } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; name: string; email: string };
}

const publish = (memberId: string, body: Record<string, unknown>, token = tokens.umea) => call('PUT', `${umea}/members/${memberId}/directory-profile`, { token, body: { consentVersion: CONSENT, ...body } });
const withdraw = (memberId: string, token = tokens.umea) => call('DELETE', `${umea}/members/${memberId}/directory-profile`, { token });
const search = (query: string, token = tokens.boden) => call('GET', `/api/directory${query ? `?${query}` : ''}`, { token });
const ids = (res: { json: { profiles: Array<{ memberId: string }> } }) => res.json.profiles.map((p) => p.memberId);

/** Every item of a table. */
async function scan(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...((res.Items ?? []) as Record<string, unknown>[]));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return items;
}
const tableOf = (prefix: string) => network.tables.get([...network.tables.keys()].find((k) => k.startsWith(prefix))!)!;

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  for (const hub of ['umea', 'boden']) tokens[hub] = await network.token('staff', hub);
  tokens.national = await network.token('national');
  tokens.researcher = await network.token('researcher');
  const org = await call('POST', `${umea}/organisations`, { token: tokens.umea, body: { name: 'Region Västerbotten', type: 'region' } });
  orgId = org.json.id;
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
});

afterAll(async () => {
  db?.destroy();
  await network?.stop();
});

describe('the network directory (opt-in)', () => {
  it('publishes a profile in Umeå that Boden staff find at once; opt-out removes it at once', async () => {
    const anna = await member('Anna Vätgasson');
    const state = await call('GET', `${umea}/members/${anna.id}/directory-profile`, { token: tokens.umea });
    expect(state.json).toMatchObject({ memberId: anna.id, published: false, consents: [], consentText: { version: CONSENT } });

    const res = await publish(anna.id, { role: 'Energistrateg', competences: ['Vätgas', 'Elnät', 'Upphandling'], askMeAbout: 'Hur regionen planerar\nför vätgas i Norrland' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ memberId: anna.id, hubId: 'umea', hubName: expect.stringContaining('Umeå'), name: 'Anna Vätgasson', organisationName: 'Region Västerbotten', organisationType: 'region', role: 'Energistrateg', competences: ['Vätgas', 'Elnät', 'Upphandling'] });
    expect(res.json.email).toBeUndefined();

    // Staff of another hub find her by any word's start, folded (vätgas → vatg), with filters.
    for (const q of ['q=vatg', 'q=ENERGI', 'q=region+v%C3%A4sterbotten', 'q=norrland+planerar', 'q=anna', 'q=upphandl&hub=umea', 'q=elnat&organisationType=region']) {
      const found = await search(q);
      expect(found.status, `${q}: ${found.text}`).toBe(200);
      expect(ids(found), q).toContain(anna.id);
    }
    for (const q of ['q=vatgas+skogsbruk', 'q=elnat&hub=boden', 'q=elnat&organisationType=municipality']) expect(ids(await search(q)), q).not.toContain(anna.id);
    // Listed once though two of her words start with the query ("vatgas" twice, "vatgasson").
    expect(ids(await search('q=vatgas')).filter((id) => id === anna.id)).toHaveLength(1);
    // The national administrator and Umeå's own staff see the same.
    expect(ids(await search('q=energistrateg', tokens.national))).toContain(anna.id);
    expect(ids(await search('hub=umea', tokens.umea))).toContain(anna.id);

    // A change replaces the words: the old ones no longer find her.
    expect((await publish(anna.id, { role: 'Klimatstrateg', competences: ['Vätgas'] })).status).toBe(200);
    expect(ids(await search('q=upphandling'))).not.toContain(anna.id);
    expect(ids(await search('q=klimatstrateg'))).toContain(anna.id);

    const out = await withdraw(anna.id);
    expect(out.status, out.text).toBe(200);
    expect(out.json).toMatchObject({ memberId: anna.id, published: false, consents: [{ textVersion: CONSENT, givenAt: expect.any(String), withdrawnAt: expect.any(String) }] });
    // Gone for Boden in the very next request, by every word and in the list.
    for (const q of ['q=vatg', 'q=klimat', 'q=anna', 'hub=umea', '']) expect(ids(await search(q)), q).not.toContain(anna.id);
    expect((await withdraw(anna.id)).status).toBe(200);

    // Publishing and withdrawing are events on the bus, without name or profile text.
    await network.idle();
    const archived = (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => String(e['detail-type']).startsWith('DirectoryProfile') && JSON.stringify(e).includes(anna.id));
    expect(archived.map((e) => e['detail-type'])).toEqual(['DirectoryProfilePublished', 'DirectoryProfilePublished', 'DirectoryProfileWithdrawn']);
    expect((archived[0]!.detail as { data: unknown }).data).toMatchObject({ memberId: anna.id, hubId: 'umea', organisationType: 'region', consentVersion: CONSENT, changed: false, fields: ['role', 'competences', 'askMeAbout'] });
    expect((archived[2]!.detail as { data: unknown }).data).toMatchObject({ reason: 'opt-out' });
    expect(JSON.stringify(archived)).not.toMatch(/Anna|Vätgas|Energistrateg|regionvasterbotten\.se/i);
  });

  it('keeps the word index consistent when changes of one profile race', async () => {
    const m = await member('Vera Samtidig');
    const words = Array.from({ length: 5 }, (_, i) => `ordning${'abcde'[i]}`);
    const results = await Promise.all(words.map((w) => publish(m.id, { competences: [w] })));
    expect(results.map((r) => r.status)).toEqual(words.map(() => 200));
    // Exactly one change won, and only its word finds her: no entry of a lost change is left behind.
    const stored = (await call('GET', `${umea}/members/${m.id}/directory-profile`, { token: tokens.umea })).json.profile.competences[0];
    for (const w of words) expect(ids(await search(`q=${w}`)), w).toEqual(w === stored ? [m.id] : []);
    expect(ids(await search('q=ordning'))).toEqual([m.id]);
    const index = (await scan(tableOf('samverkan-national/NetworkTable'))).filter((i) => i.pk === 'DIRSEARCH' && String(i.sk).endsWith(`#umea#${m.id}`));
    expect(index.map((i) => String(i.sk).split('#')[0]).sort()).toEqual(['samtidig', stored, 'region', 'vasterbotten', 'vera'].sort());
    expect((await withdraw(m.id)).status).toBe(200);
  });

  it('never lists a member who did not opt in, and pages through the list with a cursor', async () => {
    const quiet = await member('Tyra Tystnad');
    const listed = await Promise.all(['Albin Sida', 'Berit Sida', 'Cecilia Sida'].map((n) => member(n)));
    for (const m of listed) expect((await publish(m.id, { competences: ['Sidindelning'] })).status).toBe(200);
    expect(ids(await search('q=tyra'))).toEqual([]);
    expect(ids(await search('q=tystnad'))).toEqual([]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search(`q=sidindelning&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status, page.text).toBe(200);
      expect(page.json.profiles.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(listed.map((m) => m.id).sort());

    const all: string[] = [];
    cursor = undefined;
    do {
      const page = await search(`limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...ids(page));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(all).toEqual(expect.arrayContaining(listed.map((m) => m.id)));
    expect(all).not.toContain(quiet.id);
    expect(new Set(all).size).toBe(all.length);
  });

  it('is in the export with its consent, and erasure leaves nothing in the hub or network tables', async () => {
    const erik = await member('Erik Raderasson');
    expect((await publish(erik.id, { role: 'Klustersamordnare', competences: ['Skogsbioekonomi'], askMeAbout: 'Kluster' })).status).toBe(200);
    const exported = await call('GET', `${umea}/members/${erik.id}/export`, { token: tokens.umea });
    expect(exported.status, exported.text).toBe(200);
    expect(exported.json.sections.map((s: { key: string }) => s.key)).toContain('directory');
    expect(exported.json.directory).toMatchObject({ published: true, profile: { role: 'Klustersamordnare', competences: ['Skogsbioekonomi'] }, consents: [{ textVersion: CONSENT, givenAt: expect.any(String), text: { sv: DIRECTORY_CONSENT.sv } }] });

    expect((await call('DELETE', `${umea}/members/${erik.id}`, { token: tokens.umea })).status).toBe(200);
    expect(ids(await search('q=skogsbioekonomi'))).not.toContain(erik.id);
    await network.idle();
    const leaks = (i: Record<string, unknown>) => /erik|raderasson|klustersamordnare|skogsbioekonomi/i.test(JSON.stringify(i)) || JSON.stringify(i).includes(erik.id);
    expect((await scan(tableOf('samverkan-hub-umea/'))).filter(leaks).map((i) => `${i.pk} ${i.sk}`)).toEqual([]);
    expect((await scan(tableOf('samverkan-national/NetworkTable'))).filter(leaks).map((i) => `${i.pk} ${i.sk}`)).toEqual([]);
    const withdrawn = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => e['detail-type'] === 'DirectoryProfileWithdrawn' && JSON.stringify(e).includes(erik.id));
    expect((withdrawn?.detail as { data: unknown } | undefined)?.data).toMatchObject({ memberId: erik.id, reason: 'member-erased' });
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const m = await member('Fia Felsson');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ consentVersion: 'directory-1999' }, 'body.consentVersion'],
      [{ consentVersion: undefined }, 'body.consentVersion'],
      [{ role: 'Roll\nmed radbrytning' }, 'body.role'],
      [{ competences: 'Vätgas' }, 'body.competences'],
      [{ competences: Array.from({ length: 16 }, (_, i) => `K${i}`) }, 'body.competences'],
      [{ competences: [''] }, 'body.competences[0]'],
      [{ askMeAbout: 'x'.repeat(501) }, 'body.askMeAbout'],
      [{ email: 'fia@example.se' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await publish(m.id, body);
      expect(res.status, `${path}: ${res.text}`).toBe(400);
      expect(res.json.error.issues.map((i: { path: string }) => i.path), res.text).toContain(path);
    }
    expect((await call('GET', `${umea}/members/${m.id}/directory-profile`, { token: tokens.umea })).json).toMatchObject({ published: false, consents: [] });
    expect(ids(await search('q=felsson'))).toEqual([]);
    expect((await publish('mem_nobody', { role: 'X' })).status).toBe(404);
    for (const [q, path] of [['hub=nowhere', 'query.hub'], ['organisationType=club', 'query.organisationType'], ['limit=0', 'query.limit'], ['limit=101', 'query.limit'], ['cursor=garbage', 'query.cursor'], ['q=a%0Ab', 'query.q'], ['colour=red', 'query']] as const) {
      const res = await search(q);
      expect(res.status, `${q}: ${res.text}`).toBe(400);
      expect(res.json.error.issues[0].path, q).toBe(path);
    }
  });

  it('is described in the OpenAPI document, generated from the contract', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json;
    expect(doc.paths['/api/directory'].get['x-samverkan-access']).toBe('staff-any-hub');
    expect(doc.paths['/api/directory'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['q', 'hub', 'organisationType', 'limit', 'cursor']);
    const put = doc.paths['/api/hubs/{hubId}/members/{memberId}/directory-profile'].put;
    expect(put.requestBody.content['application/json'].schema.required).toEqual(['consentVersion']);
    expect(doc.paths['/api/hubs/{hubId}/members/{memberId}/directory-profile'].delete).toBeDefined();
    const page = doc.paths['/api/hubs/{hubId}/events/{eventId}/public-registrations/{registrationId}/cancel'];
    expect(Object.keys(page.get.responses['200'].content)).toEqual(['text/html']);
    expect(page.post).toBeDefined();
  });

  it('lets only staff of the member’s hub publish and withdraw, and staff of any hub and national administrators search', async () => {
    const m = await member('Rut Rollsson');
    expect((await publish(m.id, { role: 'Samordnare' }, tokens.boden)).status).toBe(403);
    expect((await publish(m.id, { role: 'Samordnare' }, tokens.national)).status).toBe(403);
    expect((await call('PUT', `${umea}/members/${m.id}/directory-profile`, { body: { consentVersion: CONSENT } })).status).toBe(401);
    expect(ids(await search('q=rollsson'))).toEqual([]);
    expect((await publish(m.id, { role: 'Samordnare' })).status).toBe(200);
    expect((await withdraw(m.id, tokens.boden)).status).toBe(403);
    expect(ids(await search('q=rollsson'))).toEqual([m.id]);
    expect((await search('q=rollsson', tokens.researcher)).status).toBe(403);
    expect((await call('GET', '/api/directory?q=rollsson')).status).toBe(401);
  });
});
