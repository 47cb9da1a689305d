/**
 * Research consent over HTTP against DynamoDB Local and the local runtime: at the desk (staff of
 * the member's hub) and by the member through their private link; the event on the national bus;
 * export and erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { addDays, today } from '../support/dates.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';
import { writeStudies } from '../support/studies.ts';

const HUB = 'umea';
const base = `/api/hubs/${HUB}`;
const CONSENT = 'norr-consent';
const PUBLIC = 'norr-public';
const ELSEWHERE = 'lulea-only';
const ENDED = 'norr-ended';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let otherStaff: string;
let orgId: string;
let people = 0;

async function member(language: 'sv' | 'en' = 'sv') {
  people++;
  const res = await call('POST', `${base}/members`, { token: staff, body: { name: `Consent Person ${people}`, email: `consent.${people}@regionvasterbotten.se`, organisationId: orgId, membership: 'member', language } });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

const consentEvents = (memberId: string) =>
  (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => e['detail-type'] === 'MemberConsentChanged' && (e.detail as any).data.memberId === memberId).map((e) => (e.detail as any).data);

beforeAll(async () => {
  const studiesDir = writeStudies([
    { id: CONSENT, legalBasis: 'consent' },
    { id: PUBLIC, legalBasis: 'public-interest-opt-out', datasets: ['visits', 'consents'], surveyInstruments: [] },
    { id: ELSEWHERE, hubs: ['lulea'] },
    { id: ENDED, start: addDays(today(), -400), end: addDays(today(), -1) },
  ]);
  network = await startTestNetwork({ studiesDir });
  call = api(network);
  staff = await network.token('staff', HUB);
  otherStaff = await network.token('staff', 'boden');
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Region Västerbotten', type: 'region' } });
  orgId = org.json.id;
}, 300_000); // synthesizes the templates for the test's studies

afterAll(async () => {
  await network?.stop();
});

describe('consent at the desk', () => {
  it("lists the hub's open studies with their information text; nobody consented yet; opt-out studies include usage", async () => {
    const id = await member();
    const res = await call('GET', `${base}/members/${id}/consents`, { token: staff });
    expect(res.status, res.text).toBe(200);
    expect(res.json.studies.map((s: any) => s.studyId).sort()).toEqual([CONSENT, PUBLIC]);
    const consent = res.json.studies.find((s: any) => s.studyId === CONSENT);
    expect(consent.information.version).toBe('2026-01');
    expect(consent.information.sv.body).toMatch(/samtycke/);
    expect(consent.scopes.map((s: any) => [s.scope, s.participates])).toEqual([
      ['usage', false],
      ['co-presence', false],
      ['surveys', false],
      ['recontact', false],
    ]);
    const pub = res.json.studies.find((s: any) => s.studyId === PUBLIC);
    expect(pub.scopes.map((s: any) => [s.scope, s.participates])).toEqual([
      ['usage', true],
      ['recontact', false],
    ]);
  });

  it('records a consent with the text version, publishes MemberConsentChanged once, and a withdrawal after it', async () => {
    const id = await member();
    const give = await call('POST', `${base}/members/${id}/consents`, { token: staff, body: { studyId: CONSENT, scope: 'usage', state: 'given', textVersion: '2026-01' } });
    expect(give.status, give.text).toBe(201);
    expect(give.json).toMatchObject({ id: `${CONSENT}:usage`, memberId: id, state: 'given', textVersion: '2026-01', channel: 'desk', revision: 1 });
    const again = await call('POST', `${base}/members/${id}/consents`, { token: staff, body: { studyId: CONSENT, scope: 'usage', state: 'given', textVersion: '2026-01' } });
    expect(again.status, 'the same consent again changes nothing').toBe(200);
    expect(again.json.revision).toBe(1);
    const withdraw = await call('POST', `${base}/members/${id}/consents`, { token: staff, body: { studyId: CONSENT, scope: 'usage', state: 'withdrawn', textVersion: '2026-01' } });
    expect(withdraw.status, withdraw.text).toBe(201);
    expect(withdraw.json.history.map((h: any) => h.state)).toEqual(['given', 'withdrawn']);

    const events = await eventually(async () => {
      const e = consentEvents(id);
      return e.length >= 2 ? e : undefined;
    });
    await network.bus.idle();
    expect(consentEvents(id).map((e) => [e.studyId, e.scope, e.state, e.textVersion, e.channel])).toEqual([
      [CONSENT, 'usage', 'given', '2026-01', 'desk'],
      [CONSENT, 'usage', 'withdrawn', '2026-01', 'desk'],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/Consent Person|@regionvasterbotten/);
    const list = await call('GET', `${base}/members/${id}/consents`, { token: staff });
    expect(list.json.studies.find((s: any) => s.studyId === CONSENT).scopes[0]).toMatchObject({ scope: 'usage', state: 'withdrawn', participates: false, channel: 'desk' });
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['an unknown study', { studyId: 'nope', scope: 'usage', state: 'given', textVersion: '2026-01' }, 400, 'body.studyId'],
    ["a study that does not follow this hub", { studyId: ELSEWHERE, scope: 'usage', state: 'given', textVersion: '2026-01' }, 400, 'body.studyId'],
    ['a study that has ended', { studyId: ENDED, scope: 'usage', state: 'given', textVersion: '2026-01' }, 409, 'body.studyId'],
    ['a scope the study does not ask for', { studyId: PUBLIC, scope: 'surveys', state: 'given', textVersion: '2026-01' }, 400, 'body.scope'],
    ['an unknown scope', { studyId: CONSENT, scope: 'everything', state: 'given', textVersion: '2026-01' }, 400, 'body.scope'],
    ['an unknown state', { studyId: CONSENT, scope: 'usage', state: 'maybe', textVersion: '2026-01' }, 400, 'body.state'],
    ['an information text the member did not see (old version)', { studyId: CONSENT, scope: 'usage', state: 'given', textVersion: '2025-01' }, 409, 'body.textVersion'],
    ['a text version with a line break', { studyId: CONSENT, scope: 'usage', state: 'given', textVersion: '2026\n01' }, 400, 'body.textVersion'],
    ['a missing text version', { studyId: CONSENT, scope: 'usage', state: 'given' }, 400, 'body.textVersion'],
  ])('refuses %s with a 4xx naming the field, and records nothing', async (_what, body, status, field) => {
    const id = await member();
    const res = await call('POST', `${base}/members/${id}/consents`, { token: staff, body });
    expect(res.status, res.text).toBe(status);
    expect(res.json.error.issues.map((i: any) => i.path)).toContain(field);
    const list = await call('GET', `${base}/members/${id}/consents`, { token: staff });
    expect(list.json.studies.flatMap((s: any) => s.scopes).filter((s: any) => s.state)).toEqual([]);
  });

  it('answers 404 for an unknown member, and 403 to staff of another hub', async () => {
    const body = { studyId: CONSENT, scope: 'usage', state: 'given', textVersion: '2026-01' };
    expect((await call('POST', `${base}/members/mem_nobody/consents`, { token: staff, body })).status).toBe(404);
    const id = await member();
    expect((await call('POST', `${base}/members/${id}/consents`, { token: otherStaff, body })).status).toBe(403);
    expect((await call('GET', `${base}/members/${id}/consents`, { token: otherStaff })).status).toBe(403);
  });

  it('keeps both of two simultaneous changes in the history (no lost write)', async () => {
    const id = await member();
    const post = (state: string) => call('POST', `${base}/members/${id}/consents`, { token: staff, body: { studyId: CONSENT, scope: 'surveys', state, textVersion: '2026-01' } });
    const results = await Promise.all([post('given'), post('withdrawn'), post('given'), post('withdrawn')]);
    for (const r of results) expect([200, 201], r.text).toContain(r.status);
    const list = await call('GET', `${base}/members/${id}/export`, { token: staff });
    const record = list.json.researchConsents.find((c: any) => c.scope === 'surveys');
    const created = results.filter((r) => r.status === 201).length;
    expect(record.history).toHaveLength(created);
    expect(record.revision).toBe(created);
    expect(record.state).toBe(record.history.at(-1).state);
  });
});

describe("the member's private link", () => {
  it('opens the consent page data without a token, in the member language, and records changes made there', async () => {
    const id = await member('en');
    const link = await call('POST', `${base}/members/${id}/consents/links`, { token: staff });
    expect(link.status, link.text).toBe(201);
    expect(link.json.url).toBe(`/consent.html#hub=${HUB}&token=${link.json.id}`);
    expect(Date.parse(link.json.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const page = await call('GET', `${base}/consent-links/${link.json.id}`);
    expect(page.status, page.text).toBe(200);
    expect(page.json.language).toBe('en');
    expect(page.json.memberId).toBeUndefined();
    expect(page.json.studies.find((s: any) => s.studyId === CONSENT).information.en.heading).toMatch(/follow-up research/);

    const give = await call('POST', `${base}/consent-links/${link.json.id}/consents`, { body: { studyId: CONSENT, scope: 'co-presence', state: 'given', textVersion: '2026-01' } });
    expect(give.status, give.text).toBe(201);
    expect(give.json).toMatchObject({ scope: 'co-presence', state: 'given', channel: 'link' });
    expect(give.json.memberId).toBeUndefined();
    const optOut = await call('POST', `${base}/consent-links/${link.json.id}/consents`, { body: { studyId: PUBLIC, scope: 'usage', state: 'withdrawn', textVersion: '2026-01' } });
    expect(optOut.status, optOut.text).toBe(201);

    const desk = await call('GET', `${base}/members/${id}/consents`, { token: staff });
    expect(desk.json.studies.find((s: any) => s.studyId === PUBLIC).scopes[0]).toMatchObject({ scope: 'usage', state: 'withdrawn', participates: false, channel: 'link' });
    await eventually(async () => consentEvents(id).some((e) => e.channel === 'link' && e.studyId === PUBLIC));
  });

  it('refuses an unknown token, and a token of another hub, with 404', async () => {
    const body = { studyId: CONSENT, scope: 'usage', state: 'given', textVersion: '2026-01' };
    expect((await call('GET', `${base}/consent-links/${'x'.repeat(32)}`)).status).toBe(404);
    expect((await call('POST', `${base}/consent-links/${'x'.repeat(32)}/consents`, { body })).status).toBe(404);
    const id = await member();
    const link = await call('POST', `${base}/members/${id}/consents/links`, { token: staff });
    const elsewhere = await call('GET', `/api/hubs/boden/consent-links/${link.json.id}`);
    expect(elsewhere.status).toBe(404);
    expect((await call('GET', `${base}/consent-links/bad%20token`)).status).toBe(400);
  });

  it('serves the consent page (Swedish first, English on request)', async () => {
    const html = await fetch(`${network.url}/consent.html`).then((r) => r.text());
    expect(html).toMatch(/<html lang="sv">/);
    expect(html).toMatch(/consent\.js/);
    const script = await fetch(`${network.url}/consent.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toMatch(/textVersion: study\.information\.version/);
  });
});

describe('export and erasure', () => {
  it("exports the member's consents with their history, and erasure removes them and the links", async () => {
    const id = await member();
    await call('POST', `${base}/members/${id}/consents`, { token: staff, body: { studyId: CONSENT, scope: 'recontact', state: 'given', textVersion: '2026-01' } });
    const link = await call('POST', `${base}/members/${id}/consents/links`, { token: staff });
    const exported = await call('GET', `${base}/members/${id}/export`, { token: staff });
    expect(exported.status, exported.text).toBe(200);
    expect(exported.json.sections.map((s: any) => s.key)).toContain('researchConsents');
    expect(exported.json.researchConsents).toEqual([expect.objectContaining({ studyId: CONSENT, scope: 'recontact', state: 'given', textVersion: '2026-01' })]);

    expect((await call('DELETE', `${base}/members/${id}`, { token: staff })).status).toBe(200);
    expect((await call('GET', `${base}/consent-links/${link.json.id}`)).status).toBe(404);
    expect((await call('GET', `${base}/members/${id}/consents`, { token: staff })).status).toBe(404);
  });
});
