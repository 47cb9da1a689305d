import { describe, expect, it } from 'vitest';
import { buildEvent } from '../../functions/domain/events.ts';
import { MemoryResearchState, MemorySink, fixedKeys } from '../../functions/research/memory.ts';
import { ResearchProjection, isoWeek, pseudonym, quarterHours, timeBand, type ResearchEvent } from '../../functions/research/project.ts';
import { ROW_SCHEMAS } from '../../functions/research/rows.ts';
import { loadHubs } from '../../hubs/load.ts';
import { StudyConfig } from '../../studies/schema.ts';
import { addDays, today } from '../support/dates.ts';
import { exampleStudy } from '../support/studies.ts';

const HUB = 'umea';
const hubs = loadHubs();
const study = (id: string, changes: Record<string, unknown> = {}) => StudyConfig.parse({ ...exampleStudy(), id, start: addDays(today(), -30), end: addDays(today(), 30), ...changes });
const KEYS = { sa: 'key-of-study-a', sb: 'key-of-study-b', pub: 'key-of-public' };

function setup(studies = [study('sa'), study('sb'), study('pub', { legalBasis: 'public-interest-opt-out' })]) {
  const state = new MemoryResearchState();
  const sink = new MemorySink();
  const projection = new ResearchProjection(hubs, studies, fixedKeys(KEYS), state, sink);
  const at = (hoursAgo = 0) => new Date(Date.now() - hoursAgo * 3_600_000);
  const send = async <K extends ResearchEvent>(type: K, data: Parameters<typeof buildEvent<K>>[1], now = at()) => {
    const e = buildEvent(type, data, { hubId: HUB, correlationId: 'c', now });
    await projection.apply(type, e.detail as never);
    return e;
  };
  const consent = (memberId: string, studyId: string, scope: 'usage' | 'co-presence', state: 'given' | 'withdrawn') =>
    send('MemberConsentChanged', { memberId, studyId, scope, state, textVersion: '2026-01', channel: 'desk', changedAt: new Date().toISOString() });
  const visit = async (memberId: string, visitId: string, organisationId = 'org_region', organisationType: 'region' | 'business' = 'region', employerMunicipality?: string) => {
    const checkedInAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const localDate = today();
    await send('CheckedIn', { visitId, memberId, organisationId, organisationType, membership: 'member', hubId: HUB, checkedInAt, localDate, ...(employerMunicipality ? { employerMunicipality } : {}) });
    await send('CheckedOut', { visitId, memberId, organisationId, hubId: HUB, checkedInAt, checkedOutAt: new Date().toISOString(), durationMinutes: 97, localDate, autoClosed: false });
  };
  return { state, sink, projection, send, consent, visit };
}

describe('survey answers as rows', () => {
  const answered = (memberId: string, studyId = 'sa', answers = [
    { instrument: 'who-5' as const, item: 'cheerful', value: 4 },
    { instrument: 'weak-ties' as const, item: 'their-organisation-types', choices: ['business', 'region'] },
    { instrument: 'weak-ties' as const, item: 'their-organisation-types-none', choices: [] as string[] },
  ]) => ({ invitationId: 'inv_1', memberId, hubId: HUB, studyId, trigger: 'visit' as const, triggerDate: today(), answeredOn: today(), answers });

  it('writes one row per item (per option chosen) for a member who consented to surveys, none without or after a withdrawal, and none for a public-interest study without consent', async () => {
    const { sink, send } = setup();
    const consent = (memberId: string, studyId: string, state: 'given' | 'withdrawn') =>
      send('MemberConsentChanged', { memberId, studyId, scope: 'surveys', state, textVersion: '2026-01', channel: 'desk', changedAt: new Date().toISOString() });
    await send('SurveyAnswered', answered('mem_1'));
    expect(sink.of('sa', 'survey_answers'), 'no consent yet').toEqual([]);
    await send('SurveyAnswered', answered('mem_1', 'pub'));
    expect(sink.of('pub', 'survey_answers'), 'surveys always need consent').toEqual([]);
    await consent('mem_1', 'sa', 'given');
    const e = await send('SurveyAnswered', answered('mem_1'));
    const rows = sink.of('sa', 'survey_answers');
    const person = pseudonym(Buffer.from(KEYS.sa), 'mem_1');
    expect(rows.map((r) => [r.instrument, r.item, r.value, r.choice])).toEqual([
      ['who-5', 'cheerful', 4, null],
      ['weak-ties', 'their-organisation-types', null, 'business'],
      ['weak-ties', 'their-organisation-types', null, 'region'],
      ['weak-ties', 'their-organisation-types-none', 0, null],
    ]);
    expect(rows[0]).toMatchObject({ person, study: 'sa', hub: HUB, county: 'Västerbottens län', trigger: 'visit', week: isoWeek(today()), month: today().slice(0, 7) });
    expect(new Set(rows.map((r) => r.row_id)).size).toBe(4);
    expect(new Set(rows.map((r) => r.answer)).size).toBe(1);
    for (const r of rows) ROW_SCHEMAS.survey_answers.parse(r);
    expect(JSON.stringify(rows)).not.toMatch(/mem_1|inv_1|\d{4}-\d{2}-\d{2}/);
    expect(e.detail.metadata.eventType).toBe('SurveyAnswered');
    await consent('mem_1', 'sa', 'withdrawn');
    await send('SurveyAnswered', { ...answered('mem_1'), invitationId: 'inv_2' });
    expect(sink.of('sa', 'survey_answers')).toHaveLength(4);
  });
});

describe('survey invitations as rows (response rates)', () => {
  const invited = (memberId: string, invitationId: string, studyId = 'sa') => ({
    invitationId,
    memberId,
    hubId: HUB,
    studyId,
    instruments: ['who-5' as const, 'weak-ties' as const],
    trigger: 'event' as const,
    triggerDate: today(),
    invitedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
  });

  it('writes one row per invitation of a member who consented to surveys, whose hash is the answer hash of its answers; none without consent or for a study without the dataset', async () => {
    const { sink, send } = setup([study('sa'), study('sb', { datasets: ['visits', 'survey-answers'] })]);
    const consent = (memberId: string, studyId: string, state: 'given' | 'withdrawn') =>
      send('MemberConsentChanged', { memberId, studyId, scope: 'surveys', state, textVersion: '2026-01', channel: 'desk', changedAt: new Date().toISOString() });
    await send('SurveyInvited', invited('mem_1', 'inv_0'));
    expect(sink.of('sa', 'survey_invitations'), 'no consent yet').toEqual([]);
    await consent('mem_1', 'sa', 'given');
    await consent('mem_1', 'sb', 'given');
    await send('SurveyInvited', invited('mem_1', 'inv_1'));
    await send('SurveyInvited', invited('mem_1', 'inv_2'));
    await send('SurveyInvited', invited('mem_1', 'inv_3', 'sb'));
    expect(sink.of('sb', 'survey_invitations'), 'the study did not ask for the dataset').toEqual([]);
    const rows = sink.of('sa', 'survey_invitations');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ person: pseudonym(Buffer.from(KEYS.sa), 'mem_1'), study: 'sa', hub: HUB, county: 'Västerbottens län', trigger: 'event', instruments: 2, week: isoWeek(today()), month: today().slice(0, 7) });
    for (const r of rows) ROW_SCHEMAS.survey_invitations.parse(r);
    expect(JSON.stringify(rows)).not.toMatch(/mem_1|inv_\d|\d{4}-\d{2}-\d{2}/);

    // The answer to inv_1 joins its invitation; inv_2 stays unanswered: a response rate of 1/2.
    await send('SurveyAnswered', { invitationId: 'inv_1', memberId: 'mem_1', hubId: HUB, studyId: 'sa', trigger: 'event', triggerDate: today(), answeredOn: today(), answers: [{ instrument: 'who-5', item: 'cheerful', value: 3 }] });
    const answers = new Set(sink.of('sa', 'survey_answers').map((r) => r.answer));
    expect(rows.map((r) => answers.has(r.invitation))).toEqual([true, false]);

    await consent('mem_1', 'sa', 'withdrawn');
    await send('SurveyInvited', invited('mem_1', 'inv_4'));
    expect(sink.of('sa', 'survey_invitations'), 'nothing after a withdrawal').toHaveLength(2);
  });
});

describe('the research projection', () => {
  it('writes visit rows only for members who consented, under the study pseudonym, and none after a withdrawal', async () => {
    const { sink, consent, visit } = setup();
    await visit('mem_1', 'vis_0');
    expect(sink.of('sa', 'visits')).toEqual([]);
    await consent('mem_1', 'sa', 'usage', 'given');
    await visit('mem_1', 'vis_1', 'org_region', 'region', '0180');
    const [row] = sink.of('sa', 'visits');
    expect(row).toMatchObject({ person: pseudonym(Buffer.from(KEYS.sa), 'mem_1'), hub: HUB, county: 'Västerbottens län', duration_minutes: 90, organisation_type: 'region', remote_worker: true, month: today().slice(0, 7) });
    expect(sink.of('sb', 'visits'), 'study b has no consent').toEqual([]);
    await consent('mem_1', 'sa', 'usage', 'withdrawn');
    await visit('mem_1', 'vis_2');
    expect(sink.of('sa', 'visits')).toHaveLength(1);
    expect(sink.of('sa', 'consents').map((r) => r.state)).toEqual(['given', 'withdrawn']);
  });

  it("gives two studies different pseudonyms for the same member", async () => {
    const { sink, consent, visit } = setup();
    await consent('mem_1', 'sa', 'usage', 'given');
    await consent('mem_1', 'sb', 'usage', 'given');
    await visit('mem_1', 'vis_1');
    const [ra] = sink.of('sa', 'visits');
    const [rb] = sink.of('sb', 'visits');
    expect(ra?.person).toMatch(/^[0-9a-f]{64}$/);
    expect(ra?.person).not.toBe(rb?.person);
    expect(ra?.row_id).not.toBe(rb?.row_id);
  });

  it('includes members of a public-interest study in usage unless they opt out', async () => {
    const { sink, consent, visit } = setup();
    await visit('mem_1', 'vis_1');
    expect(sink.of('pub', 'visits')).toHaveLength(1);
    await consent('mem_1', 'pub', 'usage', 'withdrawn');
    await visit('mem_1', 'vis_2');
    expect(sink.of('pub', 'visits')).toHaveLength(1);
  });

  it('ignores a redelivered event (idempotent on eventId)', async () => {
    const { sink, projection, consent } = setup();
    await consent('mem_1', 'sa', 'usage', 'given');
    const e = buildEvent('BookingCreated', { bookingId: 'bkg_1', resourceId: 'rum-umealven', resourceType: 'room', memberId: 'mem_1', organisationId: 'org_region', hubId: HUB, start: new Date().toISOString(), end: new Date().toISOString(), localDate: addDays(today(), 3) }, { hubId: HUB, correlationId: 'c', now: new Date() });
    expect(await projection.apply('BookingCreated', e.detail)).toEqual({ duplicate: false, rows: 2 }); // study sa (consent) and pub (public interest)
    expect(await projection.apply('BookingCreated', e.detail)).toEqual({ duplicate: true, rows: 0 });
    expect(sink.of('sa', 'bookings')).toEqual([expect.objectContaining({ status: 'booked', resource_type: 'room', lead_days: 3 })]);
  });

  it('writes a weekly co-presence pair once, only when both consented to co-presence', async () => {
    const { sink, consent, visit } = setup();
    for (const m of ['mem_1', 'mem_2', 'mem_3']) await consent(m, 'sa', 'co-presence', 'given');
    await consent('mem_3', 'sa', 'co-presence', 'withdrawn');
    await visit('mem_1', 'vis_1', 'org_region', 'region');
    await visit('mem_2', 'vis_2', 'org_biz', 'business');
    await visit('mem_3', 'vis_3', 'org_region', 'region');
    await visit('mem_2', 'vis_4', 'org_biz', 'business');
    const pairs = sink.of('sa', 'co_presence');
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ cross_organisation: true, sector_pair: 'business+public', week: isoWeek(today()) });
    const people = [pseudonym(Buffer.from(KEYS.sa), 'mem_1'), pseudonym(Buffer.from(KEYS.sa), 'mem_2')].sort();
    expect([pairs[0]?.person_a, pairs[0]?.person_b]).toEqual(people);
  });

  it('forgets consent states on erasure: no later rows', async () => {
    const { sink, send, consent, visit } = setup();
    await consent('mem_1', 'sa', 'usage', 'given');
    await send('MemberErased', { memberId: 'mem_1', erasedAt: new Date().toISOString() });
    await visit('mem_1', 'vis_1');
    expect(sink.of('sa', 'visits')).toEqual([]);
  });

  it('writes nothing for a study outside its dates or for a hub it does not follow', async () => {
    const { sink, consent, visit } = setup([study('sa', { start: addDays(today(), 1) }), study('sb', { hubs: ['lulea'] })]);
    await consent('mem_1', 'sa', 'usage', 'given');
    await consent('mem_1', 'sb', 'usage', 'given');
    await visit('mem_1', 'vis_1');
    expect([...sink.rows.values()].flat()).toEqual([]);
  });

  it('rows carry no member id, organisation id or exact timestamp, and every row fits its schema', async () => {
    const { sink, consent, visit, send } = setup();
    await consent('mem_secret', 'sa', 'usage', 'given');
    await consent('mem_secret', 'sa', 'co-presence', 'given');
    await consent('mem_other', 'sa', 'co-presence', 'given');
    await visit('mem_secret', 'vis_1', 'org_secret');
    await visit('mem_other', 'vis_2', 'org_secret');
    await send('EventAttended', { registrationId: 'reg_1', eventId: 'evt_1', hubId: HUB, kind: 'business-joint', registrant: 'member', memberId: 'mem_secret', organisationId: 'org_secret', organisationType: 'region', business: false, fromOutsideHub: false, attendedAt: new Date().toISOString(), how: 'door' });
    const all = [...sink.rows.entries()];
    expect(all.map(([k]) => k).filter((k) => k.startsWith('sa/')).sort()).toEqual(['sa/co_presence', 'sa/consents', 'sa/event_participation', 'sa/visits']);
    for (const [k, rows] of all) for (const r of rows) ROW_SCHEMAS[k.split('/')[1] as keyof typeof ROW_SCHEMAS].parse(r);
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/mem_secret|mem_other|org_secret|reg_1|evt_1|\d{4}-\d{2}-\d{2}T\d{2}:/);
  });
});

describe('coarsening', () => {
  it('rounds durations to 15 minutes, bands check-in times, names ISO weeks', () => {
    expect([7, 8, 97, 0].map(quarterHours)).toEqual([0, 15, 90, 0]);
    expect(timeBand('2026-06-01T06:30:00Z', 'Europe/Stockholm')).toBe('before-09');
    expect(timeBand('2026-06-01T07:30:00Z', 'Europe/Stockholm')).toBe('09-12');
    expect(timeBand('2026-01-01T16:59:00Z', 'Europe/Stockholm')).toBe('15-18');
    expect(timeBand('2026-01-01T17:00:00Z', 'Europe/Stockholm')).toBe('after-18');
    expect([isoWeek('2026-01-01'), isoWeek('2027-01-03'), isoWeek('2026-12-28'), isoWeek('2024-12-30')]).toEqual(['2026-W01', '2026-W53', '2026-W53', '2025-W01']);
  });
});
