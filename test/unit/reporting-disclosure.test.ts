/**
 * Can a suppressed count be undone by subtraction? Seeded random reports, every `period` and
 * every `hub` filter of the same range, and an attacker who does every subtraction at once: a
 * linear-algebra model of all the published numbers (exact arithmetic modulo a prime). A count
 * of 1–4 people (a published cell, or a part implied by two published numbers) must never lie
 * in the span of what is published. docs/reporting.md, "Small-number suppression". The attacker
 * is test/support/disclosure.ts; bounds over several levels are audited by `npm run audit:disclosure`.
 */
import { describe, expect, it } from 'vitest';
import { attack } from '../support/disclosure.ts';

describe('suppression against subtraction (every period, every hub filter, one range)', () => {
  it('gives no count of 1–4 people that follows exactly from the published numbers, over many seeded reports', { timeout: 600_000 }, async () => {
    const derived: string[] = [];
    const problems: string[] = [];
    let sensitive = 0;
    let published = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const r = await attack(seed);
      sensitive += r.sensitive;
      published += r.published;
      derived.push(...r.derived.map((d) => `seed ${seed}: ${d}`));
      problems.push(...r.problems.map((p) => `seed ${seed}: ${p}`));
    }
    // The cases hold small counts to protect, and the reports still publish numbers.
    expect(sensitive).toBeGreaterThan(500);
    expect(published).toBeGreaterThan(1000);
    expect({ derived: derived.slice(0, 12), problems: problems.slice(0, 8) }).toEqual({ derived: [], problems: [] });
  });
});
