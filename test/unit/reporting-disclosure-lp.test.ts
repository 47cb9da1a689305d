/**
 * The quick version of `npm run audit:disclosure` (scripts/disclosure-audit.ts): the linear-programming
 * attacker (HiGHS) over every report of one seeded range, every published number a constraint. No
 * hidden count of 1–4 people may be pinned to one value by bounds over several levels (a range, its
 * weeks and days, and the event counts' relations at once), so the interval audit at suppression
 * time (functions/reporting/bounds.ts) cannot silently regress. Seed 6 has full events (waitlists,
 * promotions) and pinned 17 counts before that audit; the script runs more seeds.
 * docs/reporting.md, "Bounds over several levels".
 */
import { describe, expect, it } from 'vitest';
import { attack } from '../support/disclosure.ts';

describe('suppression against a linear program (bounds over several levels)', () => {
  it('pins no count of 1–4 people on a seeded range with full events', { timeout: 120_000 }, async () => {
    const r = await attack(6, { lp: true });
    expect(r.sensitive).toBeGreaterThan(500);
    // The report stays useful: most cells are still numbers.
    expect(r.shownAs.number).toBeGreaterThan(r.shownAs.small + r.shownAs.withheld);
    expect({ derived: r.derived.slice(0, 12), problems: r.problems.slice(0, 8) }).toEqual({ derived: [], problems: [] });
  });
});
