/**
 * Research surveys over HTTP against DynamoDB Local and the local runtime: a consenting member's
 * visit leads to an invitation e-mail (the local mail outbox) with a private link; the member
 * reads the survey and answers once; non-consenting members, the rate limit, a withdrawal (and consent given again), an
 * expired or answered link and bad answers; the events on the national bus; export and erasure.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoHubStore } from '../../functions/adapters/dynamo-hub-store.ts';
import { DynamoConsentStore } from '../../functions/consent/dynamo-consent-store.ts';
import { main as researchExport } from '../../functions/research/export-cli.ts';
import { main as researchQuery } from '../../functions/research/query-cli.ts';
import { loadHub } from '../../functions/shared/hub-config.ts';
import { DynamoSurveyStore } from '../../functions/surveys/dynamo-survey-store.ts';
import { SurveyService, type TriggerEvent } from '../../functions/surveys/surveys.ts';
import { loadStudies } from '../../studies/load.ts';
import { hubBusName } from '../../infra/names.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';
import { writeStudies } from '../support/studies.ts';

const HUB = 'umea';
const base = `/api/hubs/${HUB}`;
const STUDY = 'norr-surveys';
const SIMULATED = 'x-samverkan-simulated-now';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let orgId: string;
let db: DynamoDBDocumentClient;
let table: string;
let people = 0;
let dataDir: string;
let studiesDir: string;

const pseudonymOf = (memberId: string) => createHmac('sha256', Buffer.from(readFileSync(join(dataDir, 'research-keys', `${STUDY}.key`), 'utf8').trim(), 'hex')).update(memberId).digest('hex');

/** `npm run research:query` over the test's lake. */
async function query(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await researchQuery(['--study', STUDY, '--data-dir', dataDir, '--studies-dir', studiesDir, ...args], (t) => out.push(t), (t) => err.push(t));
  return { code, out: out.join(''), err: err.join('') };
}

async function member() {
  people++;
  const email = `survey.person${people}@regionvasterbotten.se`;
  const res = await call('POST', `${base}/members`, { token: staff, body: { name: `Survey Person${people}`, email, organisationId: orgId, membership: 'member' } });
  expect(res.status, res.text).toBe(201);
  return { id: res.json.id as string, email, name: `Survey Person${people}` };
}

async function consent(memberId: string, scope: string, state: 'given' | 'withdrawn' = 'given') {
  const res = await call('POST', `${base}/members/${memberId}/consents`, { token: staff, body: { studyId: STUDY, scope, state, textVersion: '2026-01' } });
  expect(res.status, res.text).toBeLessThan(300);
}

/** A visit: check-in and check-out, at a simulated time when given. Resolves when its CheckedOut reached the national bus and every delivery is done. */
async function visit(memberId: string, at?: Date) {
  const headers = (d: Date | undefined) => (d ? { [SIMULATED]: d.toISOString() } : undefined);
  const inRes = await call('POST', `${base}/check-ins`, { token: staff, body: { memberId }, ...(at ? { headers: headers(at) } : {}) });
  expect(inRes.status, inRes.text).toBe(201);
  const out = await call('POST', `${base}/check-ins/${inRes.json.visitId}/check-out`, { token: staff, ...(at ? { headers: headers(new Date(at.getTime() + 3_600_000)) } : {}) });
  expect(out.status, out.text).toBe(200);
  await eventually(async () => archived('CheckedOut').some((d) => d.data.visitId === inRes.json.visitId));
  await network.bus.idle();
  return inRes.json.visitId as string;
}

const archived = (type: string) => (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => e['detail-type'] === type).map((e) => e.detail as any);
const invitedEvents = (memberId: string) => archived('SurveyInvited').filter((d) => d.data.memberId === memberId);
const answeredEvents = (memberId: string) => archived('SurveyAnswered').filter((d) => d.data.memberId === memberId);

/** The mails in the local outbox to an address, parsed. */
async function mailsTo(email: string) {
  if (!existsSync(network.mailDir)) return [];
  const all = await Promise.all(readdirSync(network.mailDir).map(async (f) => simpleParser(readFileSync(join(network.mailDir, f)))));
  return all.filter((m) => (Array.isArray(m.to) ? m.to[0]?.text : m.to?.text)?.includes(email)).map((m) => ({ subject: m.subject ?? '', text: m.text ?? '' }));
}

/** The invitation token in the member's mail, as the member would follow the link. */
async function tokenFor(email: string): Promise<string> {
  return eventually(async () => {
    const mail = (await mailsTo(email))[0];
    const m = mail && /\/survey\.html#token=([A-Za-z0-9_-]+)/.exec(mail.text);
    return m?.[1];
  });
}

const WHO5 = { cheerful: 4, calm: 3, active: 3, rested: 2, interest: 5 };
const WEAK = { 'new-people': 3, 'contacted-since': 1, 'their-organisation-types': ['business', 'municipality'] };
const answers = { answers: { 'who-5': WHO5, 'weak-ties': WEAK } };

async function scanHubTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...((res.Items ?? []) as Record<string, unknown>[]));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return items;
}

beforeAll(async () => {
  studiesDir = writeStudies([{ id: STUDY, samplingShare: 1, invitationRateLimitDays: 30, surveyInstruments: ['who-5', 'weak-ties'] }]);
  dataDir = mkdtempSync(join(tmpdir(), 'surveys-data-'));
  network = await startTestNetwork({ studiesDir, dataDir, lakeFlushMs: 50, simulation: true });
  call = api(network);
  staff = await network.token('staff', HUB);
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Region Västerbotten', type: 'region' } });
  orgId = org.json.id;
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${HUB}/`)) as string) as string;
}, 300_000); // synthesizes the templates for the test's study

afterAll(async () => {
  await network?.stop();
});

describe('a consenting member after a visit', () => {
  it('is invited by e-mail with a private link, reads the survey (no personal data) and answers once; the events carry no e-mail, name or link secret', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);

    const mails = await eventually(async () => {
      const found = await mailsTo(m.email);
      return found.length ? found : undefined;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/enkät/);
    expect(mails[0]?.text).toContain(`${network.url}/survey.html#token=`);
    const token = await tokenFor(m.email);
    expect(token.startsWith(`${HUB}_`)).toBe(true);

    // API v1's route answers 307 to the hub's; fetch follows it as a browser does.
    const redirect = await fetch(`${network.url}/api/surveys/${token}`, { redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe(`/api/hubs/${HUB}/surveys/${token}`);
    const survey = await call('GET', `/api/surveys/${token}`);
    expect(survey.status, survey.text).toBe(200);
    expect(survey.json.instruments.map((i: any) => i.id)).toEqual(['who-5', 'weak-ties']);
    expect(survey.json.instruments[0].items[0].text.sv).toBe('Jag har känt mig glad och på gott humör');
    expect(survey.json.instruments[0].scale.anchors).toHaveLength(6);
    expect(survey.text).not.toMatch(new RegExp(`${m.name}|${m.email}|${m.id}`));

    const res = await call('POST', `/api/surveys/${token}/answers`, { body: answers });
    expect(res.status, res.text).toBe(201);
    const again = await call('POST', `/api/surveys/${token}/answers`, { body: answers });
    expect(again.status, again.text).toBe(410);
    expect((await call('GET', `/api/surveys/${token}`)).status).toBe(410);

    const answered = await eventually(async () => answeredEvents(m.id)[0]);
    await network.bus.idle();
    expect(answeredEvents(m.id)).toHaveLength(1);
    expect(answered.data).toMatchObject({ studyId: STUDY, hubId: HUB, trigger: 'visit' });
    expect(answered.data.answers).toContainEqual({ instrument: 'who-5', item: 'cheerful', value: 4 });
    expect(answered.data.answers).toContainEqual({ instrument: 'weak-ties', item: 'their-organisation-types', choices: ['business', 'municipality'] });
    const invited = invitedEvents(m.id);
    expect(invited).toHaveLength(1);
    expect(invited[0].data).toMatchObject({ studyId: STUDY, instruments: ['who-5', 'weak-ties'], trigger: 'visit' });
    const onTheBus = JSON.stringify([...invited, answered]);
    expect(onTheBus).not.toContain(m.email);
    expect(onTheBus).not.toContain(m.name);
    expect(onTheBus).not.toContain(token.split('_')[1]);

    const exported = await call('GET', `${base}/members/${m.id}/export`, { token: staff });
    expect(exported.status, exported.text).toBe(200);
    expect(JSON.stringify(exported.json)).toContain('"surveyInvitations"');
    expect(exported.text).toContain('"cheerful"');
    expect(exported.text).not.toContain(token);
  });

  it('answering twice at once records one answer: one 201, one 410', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);
    const token = await tokenFor(m.email);
    const results = await Promise.all([1, 2, 3].map(() => call('POST', `/api/hubs/${HUB}/surveys/${token}/answers`, { body: answers })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 410, 410]);
    await eventually(async () => answeredEvents(m.id)[0]);
    await network.bus.idle();
    expect(answeredEvents(m.id)).toHaveLength(1);
  });

  it.each<[string, unknown, string]>([
    ['a missing item', { answers: { 'who-5': { ...WHO5, calm: undefined }, 'weak-ties': WEAK } }, 'body.answers.who-5.calm'],
    ['a value off the scale', { answers: { 'who-5': { ...WHO5, cheerful: 6 }, 'weak-ties': WEAK } }, 'body.answers.who-5.cheerful'],
    ['a fraction', { answers: { 'who-5': { ...WHO5, rested: 2.5 }, 'weak-ties': WEAK } }, 'body.answers.who-5.rested'],
    ['more people contacted than met', { answers: { 'who-5': WHO5, 'weak-ties': { ...WEAK, 'contacted-since': 4 } } }, 'body.answers.weak-ties.contacted-since'],
    ['an unknown organisation type', { answers: { 'who-5': WHO5, 'weak-ties': { ...WEAK, 'their-organisation-types': ['church'] } } }, 'body.answers.weak-ties.their-organisation-types'],
    ['a missing instrument', { answers: { 'who-5': WHO5 } }, 'body.answers.weak-ties.new-people'],
    ['an instrument not in the invitation', { answers: { 'who-5': WHO5, 'weak-ties': WEAK, 'brief-sense-of-community': {} } }, 'body.answers.brief-sense-of-community'],
    ['free text', { answers: { 'who-5': { ...WHO5, cheerful: 'quite' }, 'weak-ties': WEAK } }, 'body.answers.who-5.cheerful'],
  ])('refuses %s with 400 naming the item, and records nothing', async (_what, body, field) => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);
    const token = await tokenFor(m.email);
    const res = await call('POST', `/api/surveys/${token}/answers`, { body });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.issues.map((i: any) => i.path)).toContain(field);
    expect((await call('GET', `/api/surveys/${token}`)).status, 'the link still works').toBe(200);
    expect((await call('POST', `/api/surveys/${token}/answers`, { body: answers })).status).toBe(201);
  });
});

describe('answers as research rows', () => {
  it('a survey_answers row per item (one per organisation type chosen) under the pseudonym only, in research:query; the example query passes the disclosure check', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await consent(m.id, 'usage');
    await visit(m.id);
    const token = await tokenFor(m.email);
    expect((await call('POST', `/api/surveys/${token}/answers`, { body: answers })).status).toBe(201);
    await eventually(async () => answeredEvents(m.id)[0]);
    await network.idle();

    const person = pseudonymOf(m.id);
    const res = await eventually(async () => {
      const r = await query('--unchecked', `SELECT instrument, item, value, choice, trigger, week, month, hub, study, person FROM survey_answers WHERE person = '${person}' ORDER BY instrument, item, choice`);
      return r.code === 0 && r.out.includes('their-organisation-types') ? r : undefined;
    });
    const lines = res.out.split('\n').filter((l) => l.includes(person));
    expect(lines).toHaveLength(5 + 2 + 2); // WHO-5: 5 items; weak ties: 2 counts, 2 organisation types chosen
    expect(res.out).toMatch(/who-5\s*│?\s*cheerful\s*│?\s*4/);
    expect(res.out).toMatch(/their-organisation-types.*business/);
    expect(res.out).toMatch(/\d{4}-W\d{2}/);
    expect(res.out).not.toContain(m.id);
    expect(res.out).not.toContain(m.email);
    expect(res.out).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

    const example = await query('--file', join(import.meta.dirname, '..', '..', 'studies', 'queries', 'wellbeing-by-remote-work.sql'));
    expect(example.code, example.err).toBe(0);
    expect(example.out.split('\n')[0]?.split(/\s+/)).toEqual(['worker', 'n_people', 'who5_mean_0_100', 'pct_at_or_below_50', 'top_share']);
    // Everyone who answered in this file has no employer municipality: one cell, "unknown" (its measures suppressed when it holds fewer than 5 people).
    expect(example.out).toMatch(/^unknown\s/m);
    expect(example.out).not.toContain(person);
    // The same question as a file: the shipped tabulation spec through research:export.
    const file = join(dataDir, 'who5.csv');
    const exported: string[] = [];
    const code = await researchExport(['--study', STUDY, '--data-dir', dataDir, '--studies-dir', studiesDir, '--spec', join(import.meta.dirname, '..', '..', 'studies', 'exports', 'wellbeing-by-remote-work.json'), '--out', file], () => {}, (e) => exported.push(e));
    expect(code, exported.join('')).toBe(0);
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('remote_worker,people,rows,mean_score,suppressed');
    expect(csv).toMatch(/^,/m); // the cell of people without a remote-worker flag
    expect(csv).not.toContain(person);
    expect(readFileSync(join(network.lakeDir, 'research', STUDY, 'codebook.md'), 'utf8')).toMatch(/## survey_answers/);

    // The invitation is a survey_invitations row of the same person, joined to its answer (response rates).
    const joined = await eventually(async () => {
      const r = await query('--unchecked', `SELECT count(*) AS invited, count(a.answer) AS answered FROM survey_invitations i LEFT JOIN (SELECT DISTINCT answer FROM survey_answers) a ON a.answer = i.invitation WHERE i.person = '${person}'`);
      return r.code === 0 && /^1\s+\d+$/m.test(r.out) ? r : undefined;
    });
    expect(joined.out.split('\n')[2]?.split(/\s+/)).toEqual(['1', '1']); // invited, answered
    const rate = await query('--file', join(import.meta.dirname, '..', '..', 'studies', 'queries', 'response-rate.sql'));
    expect(rate.code, rate.err).toBe(0);
    expect(rate.out.split('\n')[0]?.split(/\s+/)).toEqual(['trigger', 'n_people', 'invitations', 'answered', 'response_rate_pct', 'top_share']);
    expect(rate.out).toMatch(/^visit\s/m);
    expect(rate.out).not.toContain(person);
    expect(readFileSync(join(network.lakeDir, 'research', STUDY, 'codebook.md'), 'utf8')).toMatch(/## survey_invitations/);
  });
});

describe('who is not invited, and links that no longer work', () => {
  it('a member who did not consent to surveys (only to usage) gets no invitation and no mail', async () => {
    const m = await member();
    await consent(m.id, 'usage');
    await visit(m.id);
    expect(invitedEvents(m.id)).toEqual([]);
    expect(await mailsTo(m.email)).toEqual([]);
  });

  it('a redelivered CheckedOut (at least once, or an archive replay) makes no second invitation or mail', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    const visitId = await visit(m.id);
    await tokenFor(m.email);
    const checkedOut = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => e['detail-type'] === 'CheckedOut' && (e.detail as any).data.visitId === visitId);
    expect(checkedOut).toBeDefined();
    const hubBus = hubBusName(HUB);
    network.bus.putEvents(hubBus, [{ source: checkedOut!.source, detailType: 'CheckedOut', detail: checkedOut!.detail }]);
    network.bus.putEvents(hubBus, [{ source: checkedOut!.source, detailType: 'CheckedOut', detail: checkedOut!.detail }]);
    await network.idle();
    expect(invitedEvents(m.id)).toHaveLength(1);
    expect(await mailsTo(m.email)).toHaveLength(1);
  });

  it('is idempotent on the trigger, not only rate-limited: a redelivery is "already-invited"; two triggers of one member at once invite once', async () => {
    // The inviter's service on the hub's real table (what the function runs), so each outcome is seen.
    const service = new SurveyService(loadHub(HUB), loadStudies(studiesDir), new DynamoSurveyStore(db, table), new DynamoConsentStore(db, table), new DynamoHubStore(db, table), () => new Date());
    const mails: string[] = [];
    const send = async (mail: { to: string }) => mails.push(mail.to);
    const trigger = (memberId: string): TriggerEvent => ({ eventId: randomUUID(), kind: 'visit', memberId, subjectId: `vis_${randomUUID()}`, date: new Date().toISOString().slice(0, 10), at: new Date().toISOString(), correlationId: 'test' });

    const a = await member();
    await consent(a.id, 'surveys');
    const t = trigger(a.id);
    expect(await service.invite(t, send, 'http://localhost')).toEqual({ [STUDY]: 'invited' });
    expect(await service.invite(t, send, 'http://localhost'), 'the same trigger again').toEqual({ [STUDY]: 'already-invited' });
    expect(await service.invite(trigger(a.id), send, 'http://localhost'), 'another trigger in the window').toEqual({ [STUDY]: 'rate-limited' });
    expect(mails.filter((to) => to === a.email)).toHaveLength(1);

    const b = await member();
    await consent(b.id, 'surveys');
    const outcomes = await Promise.all([service.invite(trigger(b.id), send, 'http://localhost'), service.invite(trigger(b.id), send, 'http://localhost')]);
    expect(outcomes.map((o) => o[STUDY]).sort()).toEqual(['invited', 'rate-limited']);
    expect(mails.filter((to) => to === b.email)).toHaveLength(1);
    const invitations = (await scanHubTable()).filter((i) => i.memberId === b.id && i.entity === 'survey-invitation');
    expect(invitations).toHaveLength(1);
  });

  it('a member is invited at most once in the rate-limit window (two visits, one invitation)', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);
    await tokenFor(m.email);
    await visit(m.id);
    expect(invitedEvents(m.id)).toHaveLength(1);
    expect(await mailsTo(m.email)).toHaveLength(1);
  });

  it('after a withdrawal of the surveys consent the link accepts no answers (410)', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);
    const token = await tokenFor(m.email);
    await consent(m.id, 'surveys', 'withdrawn');
    const get = await call('GET', `/api/surveys/${token}`);
    expect(get.status, get.text).toBe(410);
    expect(get.json.error.message).toMatch(/withdrawn/);
    const post = await call('POST', `/api/surveys/${token}/answers`, { body: answers });
    expect(post.status, post.text).toBe(410);
    expect(post.json.error.issues[0].path).toBe('path.invitationToken');
    await network.bus.idle();
    expect(answeredEvents(m.id)).toEqual([]);
  });

  it('an invitation issued before a withdrawal stays dead when consent is given again (410)', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);
    const old = await tokenFor(m.email);
    await consent(m.id, 'surveys', 'withdrawn');
    await consent(m.id, 'surveys');
    const get = await call('GET', `/api/surveys/${old}`);
    expect(get.status, get.text).toBe(410);
    expect(get.json.error.message).toMatch(/withdrawn/);
    const post = await call('POST', `/api/surveys/${old}/answers`, { body: answers });
    expect(post.status, post.text).toBe(410);
    await network.bus.idle();
    expect(answeredEvents(m.id)).toEqual([]);
  });

  it('an expired link is refused (410): invited after a visit 13 days ago, answered 2 days from now', async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    const past = new Date(Date.now() - 13 * 86_400_000);
    await visit(m.id, past);
    const token = await tokenFor(m.email);
    const later = { [SIMULATED]: new Date(Date.now() + 2 * 86_400_000).toISOString() };
    const res = await call('POST', `/api/hubs/${HUB}/surveys/${token}/answers`, { body: answers, headers: later });
    expect(res.status, res.text).toBe(410);
    expect(res.json.error.message).toMatch(/expired/);
    // Today it still works.
    expect((await call('GET', `/api/hubs/${HUB}/surveys/${token}`)).status).toBe(200);
  });

  it('an unknown token is 404, on both routes; a malformed one is 400', async () => {
    const unknown = `${HUB}_${'A'.repeat(32)}`;
    expect((await call('GET', `/api/surveys/${unknown}`)).status).toBe(404);
    expect((await call('POST', `/api/surveys/${unknown}/answers`, { body: answers })).status).toBe(404);
    expect((await call('GET', `/api/surveys/nohub_${'A'.repeat(32)}`)).status).toBe(404);
    expect((await call('GET', `/api/hubs/boden/surveys/${unknown}`)).status).toBe(404);
    const bad = await call('GET', '/api/surveys/a.b');
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('path.invitationToken');
  });
});

describe('erasure', () => {
  it("removes the member's invitations, answers and markers from the hub table", async () => {
    const m = await member();
    await consent(m.id, 'surveys');
    await visit(m.id);
    const token = await tokenFor(m.email);
    expect((await call('POST', `/api/surveys/${token}/answers`, { body: answers })).status).toBe(201);
    const before = (await scanHubTable()).filter((i) => JSON.stringify(i).includes(token) || String(i.sk).startsWith('SURVEYRATE#') && i.pk === `MEMBER#${m.id}`);
    expect(before.length).toBeGreaterThanOrEqual(3);
    const res = await call('DELETE', `${base}/members/${m.id}`, { token: staff });
    expect(res.status, res.text).toBe(200);
    const left = (await scanHubTable()).filter((i) => i.entity !== 'outbox' && (JSON.stringify(i).includes(m.id) || JSON.stringify(i).includes(token)));
    expect(left.filter((i) => String(i.entity ?? '').startsWith('survey'))).toEqual([]);
    expect((await call('GET', `/api/surveys/${token}`)).status).toBe(404);
  });
});
