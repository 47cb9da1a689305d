import { describe, expect, it } from 'vitest';
import { checkDisclosure, protectCells, type TabulatedCell } from '../../functions/research/disclosure.ts';

const plenty = () => 100;

describe('disclosure control', () => {
  it('suppresses the measures of a cell about fewer than 5 distinct people, keeping its dimensions', () => {
    const rows = [
      { kind: 'workshop', n_people: 12, visits: 40 },
      { kind: 'training', n_people: 4, visits: 9 },
      { kind: 'other', n_people: 5, visits: 5 },
    ];
    const result = checkDisclosure(rows, ['kind', 'n_people', 'visits'], plenty);
    expect(result).toEqual({
      ok: true,
      suppressed: 1,
      rows: [
        { kind: 'workshop', n_people: 12, visits: 40 },
        { kind: 'training', n_people: null, visits: null },
        { kind: 'other', n_people: 5, visits: 5 },
      ],
    });
  });

  it('suppresses a cell dominated by one person (more than 50 %), but not one at exactly 50 %', () => {
    const rows = [
      { hub: 'umea', n_people: 9, hours: 100, top_share: 0.51 },
      { hub: 'lulea', n_people: 9, hours: 100, top_share: 0.5 },
    ];
    const result = checkDisclosure(rows, ['hub', 'n_people', 'hours', 'top_share'], plenty);
    expect(result.ok && result.rows).toEqual([
      { hub: 'umea', n_people: null, hours: null, top_share: null },
      { hub: 'lulea', n_people: 9, hours: 100, top_share: 0.5 },
    ]);
  });

  it('suppresses a small n_… count of people (1–4) and the row’s other n_… counts (n_people − n_public would give it), keeping n_people and the measures', () => {
    const rows = [
      { kind: 'workshop', n_people: 12, n_business: 3, n_public: 9, n_other: 0, events: 4 },
      { kind: 'training', n_people: 20, n_business: 8, n_public: 12, n_other: 0, events: 2 },
    ];
    const result = checkDisclosure(rows, ['kind', 'n_people', 'n_business', 'n_public', 'n_other', 'events'], plenty);
    expect(result).toEqual({
      ok: true,
      suppressed: 3,
      rows: [
        { kind: 'workshop', n_people: 12, n_business: null, n_public: null, n_other: null, events: 4 },
        { kind: 'training', n_people: 20, n_business: 8, n_public: 12, n_other: 0, events: 2 },
      ],
    });
  });

  it('refuses a result without n_people, and one with pseudonyms', () => {
    expect(checkDisclosure([{ person: 'ab', visits: 3 }], ['person', 'visits'], plenty)).toMatchObject({ ok: false, reason: expect.stringMatching(/n_people/) });
    expect(checkDisclosure([{ person_a: 'ab', n_people: 9 }], ['person_a', 'n_people'], plenty)).toMatchObject({ ok: false, reason: expect.stringMatching(/person_a/) });
  });

  it('refuses the export when a combination of organisation type, hub, month and county holds fewer than 5 people', () => {
    const rows = [
      { hub: 'umea', month: '2026-10', n_people: 7, visits: 20 },
      { hub: 'boden', month: '2026-10', n_people: 6, visits: 8 },
    ];
    const asked: unknown[] = [];
    const population = (c: Record<string, unknown>) => {
      asked.push(c);
      return c.hub === 'boden' ? 4 : 50;
    };
    expect(checkDisclosure(rows, ['hub', 'month', 'n_people', 'visits'], population)).toMatchObject({ ok: false, reason: expect.stringMatching(/hub=boden, month=2026-10 holds fewer than 5/) });
    expect(asked).toEqual([
      { hub: 'umea', month: '2026-10' },
      { hub: 'boden', month: '2026-10' },
    ]);
    expect(checkDisclosure(rows, ['hub', 'month', 'n_people', 'visits'], () => 5).ok).toBe(true);
  });
});

describe('exact disclosure control of a declared tabulation (protectCells)', () => {
  const cell = (kind: string, people: number, share: number | null = 0.2): TabulatedCell => ({ dimensions: { kind }, people, measures: { rows: people * 2, mean_duration_minutes: 60 }, topShares: { rows: share, mean_duration_minutes: 0.1 } });

  it('suppresses a cell of 4 people, keeps one of 5; suppresses one over 50 % of a measure, keeps one at exactly 50 %', () => {
    const result = protectCells([cell('a', 4), cell('b', 5), cell('c', 9, 0.51), cell('d', 9, 0.5), cell('e', 6, null)], ['rows', 'mean_duration_minutes'], () => undefined);
    expect(result).toEqual({
      ok: true,
      suppressed: 2,
      rows: [
        { kind: 'a', people: null, rows: null, mean_duration_minutes: null, suppressed: 'fewer than 5 people' },
        { kind: 'b', people: 5, rows: 10, mean_duration_minutes: 60, suppressed: '' },
        { kind: 'c', people: null, rows: null, mean_duration_minutes: null, suppressed: 'one person over 50 %' },
        { kind: 'd', people: 9, rows: 18, mean_duration_minutes: 60, suppressed: '' },
        { kind: 'e', people: 6, rows: 12, mean_duration_minutes: 60, suppressed: '' },
      ],
    });
  });

  it('refuses the whole export when a key combination holds fewer than 5 people in the study, naming it; 5 passes', () => {
    const population = (people: number) => (c: TabulatedCell) => ({ combination: `hub=${String(c.dimensions.kind)}`, people: c.dimensions.kind === 'b' ? people : 50 });
    expect(protectCells([cell('a', 9), cell('b', 9)], ['rows'], population(4))).toEqual({ ok: false, reason: expect.stringMatching(/^The combination hub=b holds fewer than 5 people in the study/) });
    expect(protectCells([cell('a', 9), cell('b', 9)], ['rows'], population(0))).toMatchObject({ ok: false, reason: expect.stringMatching(/hub=b holds no people/) });
    expect(protectCells([cell('a', 9), cell('b', 9)], ['rows'], population(5)).ok).toBe(true);
  });
});
