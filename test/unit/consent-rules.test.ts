import { describe, expect, it } from 'vitest';
import { participates, scopesOf } from '../../functions/consent/consent.ts';

describe('who appears in a study (participates)', () => {
  it('a consent-based study: only a consent given, per scope', () => {
    const study = { legalBasis: 'consent' as const };
    for (const scope of ['usage', 'co-presence', 'surveys', 'recontact'] as const) {
      expect([participates(study, scope, undefined), participates(study, scope, 'given'), participates(study, scope, 'withdrawn')]).toEqual([false, true, false]);
    }
  });

  it('a public-interest study: usage unless opted out; surveys, co-presence and recontact still need consent', () => {
    const study = { legalBasis: 'public-interest-opt-out' as const };
    expect([participates(study, 'usage', undefined), participates(study, 'usage', 'withdrawn'), participates(study, 'usage', 'given')]).toEqual([true, false, true]);
    for (const scope of ['co-presence', 'surveys', 'recontact'] as const) {
      expect([participates(study, scope, undefined), participates(study, scope, 'given')]).toEqual([false, true]);
    }
  });
});

describe('the scopes a study asks for', () => {
  it('follow from its datasets, recontact always', () => {
    expect(scopesOf({ datasets: ['visits', 'co-presence', 'survey-answers'] })).toEqual(['usage', 'co-presence', 'surveys', 'recontact']);
    expect(scopesOf({ datasets: ['bookings'] })).toEqual(['usage', 'recontact']);
    expect(scopesOf({ datasets: ['consents'] })).toEqual(['recontact']);
  });
});
