/**
 * The research part of `npm run simulate` (local/simulate/research.ts) against a local runtime
 * with `--simulation`: members consent at the desk, read their invitations in the mail outbox,
 * answer them through the API, and the answers arrive as survey_answers rows under pseudonyms.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as researchQuery } from '../../functions/research/query-cli.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { buildPlan, rng } from '../../local/simulate/plan.ts';
import { drawAnswers, researchSimulation } from '../../local/simulate/research.ts';
import { runPlan, simulationStatus, type RunResult } from '../../local/simulate/run.ts';
import { instrument } from '../../studies/instruments.ts';
import { HUBS, openDay } from '../support/report-events.ts';
import { startTestNetwork } from '../support/network.ts';
import { writeStudies } from '../support/studies.ts';

const STUDY = 'norr-sim';

describe('the research simulation', () => {
  let network: LocalNetwork;
  let result: RunResult;
  let research: ReturnType<typeof researchSimulation>;
  let dataDir: string;
  let studiesDir: string;
  // A week ending on the last day every hub was open (yesterday or before): open days whatever today is.
  const to = openDay(1);
  const from = addDays(to, -6);

  beforeAll(async () => {
    studiesDir = writeStudies([{ id: STUDY, samplingShare: 1, invitationRateLimitDays: 1 }]);
    dataDir = mkdtempSync(join(tmpdir(), 'sim-research-'));
    network = await startTestNetwork({ simulation: true, studiesDir, dataDir, lakeFlushMs: 50 });
    const hubs = HUBS.filter((h) => h.id === 'umea');
    const plan = buildPlan({ seed: 5, from, to, hubs, organisations: loadStarterOrganisations('hubs'), volume: 0.4 });
    const { mailDir } = await simulationStatus(network.url);
    expect(mailDir).toBe(network.mailDir);
    research = researchSimulation({ seed: 5, mailDir: mailDir as string, hubs });
    result = await runPlan(plan, { url: network.url, afterDay: research.afterDay });
    await network.idle();
  }, 600_000);
  afterAll(() => network?.stop());

  it('gives consents at the desk, answers invitations read from the mail outbox, and the answers arrive as rows under pseudonyms', async () => {
    expect(result.tallies.umea?.checkIns).toBeGreaterThan(5);
    const r = research.tally;
    expect(r.consents).toBeGreaterThan(3);
    expect(r.invitations).toBeGreaterThan(0);
    expect(r.answers).toBeGreaterThan(0);
    expect(r.refused).toEqual({});

    const out: string[] = [];
    const err: string[] = [];
    const code = await researchQuery(['--study', STUDY, '--data-dir', dataDir, '--studies-dir', studiesDir, '--unchecked', 'SELECT count(DISTINCT answer) AS answers, count(DISTINCT person) AS people, min(length(person)) AS l FROM survey_answers'], (s) => out.push(s), (s) => err.push(s));
    expect(code, err.join('')).toBe(0);
    const [answers, , len] = (out.join('').match(/\d+/g) ?? []).map(Number);
    expect(answers).toBe(r.answers);
    expect(len).toBe(64); // pseudonyms only (HMAC-SHA256, hex)
  });

  it('draws the same answers from the same seed, each on its scale', () => {
    const survey = { instruments: ['who-5', 'weak-ties'].map((id) => instrument(id as 'who-5')) } as Parameters<typeof drawAnswers>[0];
    const a = drawAnswers(survey, rng(42));
    expect(drawAnswers(survey, rng(42))).toEqual(a);
    expect(Object.values(a['who-5'] ?? {}).every((v) => typeof v === 'number' && v >= 0 && v <= 5)).toBe(true);
    expect(Number(a['weak-ties']?.['contacted-since'])).toBeLessThanOrEqual(Number(a['weak-ties']?.['new-people']));
  });
});
