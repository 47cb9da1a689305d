import { describe, expect, it } from 'vitest';
import { hubOfToken, sampled, surveyPageUrl } from '../../functions/surveys/surveys.ts';

describe('survey sampling', () => {
  it('is deterministic per study, member and visit/event: a replay samples the same', () => {
    for (let i = 0; i < 50; i++) expect(sampled('s', `mem_${i}`, `vis_${i}`, 0.5)).toBe(sampled('s', `mem_${i}`, `vis_${i}`, 0.5));
  });

  it('takes about the study share of triggers, all at 1 and none at 0', () => {
    const n = 4000;
    const taken = Array.from({ length: n }, (_, i) => sampled('study', `mem_${i % 97}`, `vis_${i}`, 0.3)).filter(Boolean).length;
    expect(taken / n).toBeGreaterThan(0.27);
    expect(taken / n).toBeLessThan(0.33);
    expect(sampled('s', 'm', 'v', 1)).toBe(true);
    expect(sampled('s', 'm', 'v', 0)).toBe(false);
  });

  it('draws independently per study (two studies do not invite the same triggers)', () => {
    const both = Array.from({ length: 1000 }, (_, i) => sampled('a', 'mem', `vis_${i}`, 0.5) === sampled('b', 'mem', `vis_${i}`, 0.5)).filter(Boolean).length;
    expect(both).toBeGreaterThan(400);
    expect(both).toBeLessThan(600);
  });
});

describe('invitation tokens', () => {
  it('name their hub; anything else names none', () => {
    expect(hubOfToken(`umea_${'a'.repeat(32)}`)).toBe('umea');
    expect(hubOfToken(`skelleftea_${'-_'.repeat(16)}`)).toBe('skelleftea');
    expect(hubOfToken(`umea_${'a'.repeat(31)}`)).toBeUndefined();
    expect(hubOfToken('a'.repeat(40))).toBeUndefined();
    expect(surveyPageUrl('umea_x')).toBe('/survey.html#token=umea_x');
  });
});
