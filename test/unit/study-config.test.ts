import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { STUDIES_DIR, loadStudies, parseStudyFile } from '../../studies/load.ts';
import { followsHub, isActive, retentionEnds } from '../../studies/schema.ts';

const run = promisify(execFile);
const FILE = 'samverkanshubbar-i-norr.json';
const example = () => JSON.parse(readFileSync(join(STUDIES_DIR, FILE), 'utf8'));

function problemOf(config: unknown, file = FILE, hubs?: Set<string>): string {
  try {
    parseStudyFile(file, JSON.stringify(config), hubs);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the config should have been rejected');
}

describe('the shipped study file', () => {
  it('is the seed follow-up research, valid, consent-based, with Swedish and English information text', () => {
    const [study, ...rest] = loadStudies();
    expect(rest).toEqual([]);
    expect(study?.id).toBe('samverkanshubbar-i-norr');
    expect(study?.legalBasis).toBe('consent');
    expect(study?.information.sv.body).toMatch(/samtycke/);
    expect(study?.information.en.body).toMatch(/withdraw/);
    expect(study?.datasets).toContain('co-presence');
  });
});

describe('study config validation names the file and the field', () => {
  it.each<[string, (c: any) => void, RegExp]>([
    ['a bad id', (c) => (c.id = 'Norr!'), /id: /],
    ['an unknown legal basis', (c) => (c.legalBasis = 'legitimate-interest'), /legalBasis: /],
    ['an end before the start', (c) => (c.end = '2025-12-31'), /end: "end" must not be before "start"/],
    ['a retention ending before the study', (c) => (c.retention = { until: '2027-01-01' }), /retention\.until: /],
    ['a retention in days', (c) => (c.retention = { days: 30 }), /retention: /],
    ['an unknown dataset', (c) => c.datasets.push('locations'), /datasets\[7\]: /],
    ['a duplicate dataset', (c) => c.datasets.push('visits'), /datasets\[7\]: Duplicate "visits"/],
    ['instruments without the survey dataset', (c) => (c.datasets = ['visits']), /datasets: Survey instruments need/],
    ['invitation rows without the survey dataset', (c) => Object.assign(c, { datasets: ['visits', 'survey-invitations'], surveyInstruments: [] }), /datasets: The "survey-invitations" dataset needs the "survey-answers" dataset/],
    ['a survey dataset without instruments', (c) => (c.surveyInstruments = []), /surveyInstruments: /],
    ['a sampling share over 1', (c) => (c.samplingShare = 1.5), /samplingShare: /],
    ['a rate limit of 0 days', (c) => (c.invitationRateLimitDays = 0), /invitationRateLimitDays: /],
    ['missing English information', (c) => delete c.information.en, /information\.en: /],
    ['a bad text version', (c) => (c.information.version = 'version 1 final'), /information\.version: /],
    ['a bad ethics reference', (c) => (c.ethicsApproval = 'EPN 123'), /ethicsApproval: /],
    ['a bad PI e-mail', (c) => (c.principalInvestigator.email = 'pi'), /principalInvestigator\.email: /],
    ['an unknown field', (c) => (c.colour = 'blue'), /colour|Unrecognized/],
  ])('rejects %s', (_what, mutate, expected) => {
    const config = example();
    mutate(config);
    const message = problemOf(config);
    expect(message).toContain(FILE);
    expect(message).toMatch(expected);
  });

  it('rejects an id that does not match the file name', () => {
    expect(problemOf(example(), 'other.json')).toMatch(/id: "samverkanshubbar-i-norr" must match the file name "other.json"/);
  });

  it('rejects a hub that does not exist', () => {
    const config = { ...example(), hubs: ['umea', 'kiruna'] };
    expect(problemOf(config, FILE, new Set(['umea']))).toMatch(/hubs\[1\]: no hub "kiruna"/);
  });
});

describe('study dates', () => {
  it('keeps rows until a date, or a number of months after the end (clamped to the month)', () => {
    expect(retentionEnds({ end: '2028-12-31', retention: { until: '2030-06-30' } })).toBe('2030-06-30');
    expect(retentionEnds({ end: '2028-12-31', retention: { monthsAfterEnd: 60 } })).toBe('2033-12-31');
    expect(retentionEnds({ end: '2028-08-31', retention: { monthsAfterEnd: 6 } })).toBe('2029-02-28');
    expect(retentionEnds({ end: '2028-08-15', retention: { monthsAfterEnd: 0 } })).toBe('2028-08-15');
  });

  it('is active from its start to its end inclusive, and follows every hub unless it names some', () => {
    const study = { start: '2026-01-01', end: '2026-12-31' };
    expect([isActive(study, '2025-12-31'), isActive(study, '2026-01-01'), isActive(study, '2026-12-31'), isActive(study, '2027-01-01')]).toEqual([false, true, true, false]);
    expect(followsHub({}, 'umea')).toBe(true);
    expect(followsHub({ hubs: ['lulea'] }, 'umea')).toBe(false);
  });
});

describe('npm run studies:check', () => {
  it('exits 1 naming the bad file and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'studies-'));
    writeFileSync(join(dir, FILE), JSON.stringify({ ...example(), legalBasis: 'x' }));
    const err = await run('npm', ['run', '-s', 'studies:check', '--', dir], { cwd: join(STUDIES_DIR, '..') }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(new RegExp(`${FILE}[\\s\\S]*legalBasis: `));
  });
});
