/**
 * The interval audit of suppression (functions/reporting/bounds.ts): bounds over several levels of a
 * series, exact by shortest paths, and the protection that withholds until no hidden count of 1–4
 * people is pinned. docs/reporting.md, "Bounds over several levels". The joint linear program over
 * whole reports is test/unit/reporting-disclosure-lp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SeriesBounds, type Span } from '../../functions/reporting/bounds.ts';
import { cell, type Cell } from '../../functions/reporting/suppression.ts';

/** The spans of a range of whole weeks: every day, every week and the range (as a report has them). */
function spansOf(weeks: number): Span[] {
  const days = Array.from({ length: weeks * 7 }, (_, d) => ({ start: d, end: d + 1 }));
  const ws = Array.from({ length: weeks }, (_, w) => ({ start: w * 7, end: w * 7 + 7 }));
  return [...days, ...ws, ...(weeks > 1 ? [{ start: 0, end: weeks * 7 }] : [])];
}

/** A series' cells over the spans from its day values, primary suppression applied. */
const seriesOf = (spans: Span[], days: number[]): Cell[] => spans.map((s) => cell(days.slice(s.start, s.end).reduce((n, v) => n + v, 0)));

describe('interval bounds of a series', () => {
  it('pins the days of a range by a shown week and the range, and withholds until none is pinned', () => {
    // A hub's 20 registrations: a week of 10 (one day), and ten days of 1 in the other two weeks, 5 a week.
    const days = [10, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0];
    const spans = spansOf(3);
    const cells = seriesOf(spans, days);
    // The two weeks of 5 are withheld by the older rules (the days pin them); the range then still gives 20 − 10.
    for (const w of [1, 2]) (cells[21 + w] as Cell).shown = '..';
    const b = new SeriesBounds(spans, days.length, new Map([['registrations', cells]]), []);
    expect(b.pinned().map((p) => p.span)).toEqual([7, 8, 9, 10, 11, 14, 15, 16, 17, 18]);
    expect(b.bounds('registrations', 7)).toEqual([1, 1]);
    let rounds = 0;
    while (b.protect() > 0) rounds++;
    expect(rounds).toBeGreaterThan(0);
    expect(b.pinned()).toEqual([]);
    // Every "<5" day can now be more than one value, and something is still published.
    for (const d of [7, 8, 14]) {
      const [lo, hi] = b.bounds('registrations', d);
      expect(hi - lo).toBeGreaterThanOrEqual(1);
    }
    expect(cells.filter((c) => typeof c.shown === 'number' && c.shown > 0).length).toBeGreaterThan(0);
  });

  it('opens a "<5" where only hidden counts pin a cell (a week of 4 over four days of 1)', () => {
    const days = [1, 1, 0, 1, 0, 1, 0];
    const spans = spansOf(1);
    const cells = seriesOf(spans, days);
    const b = new SeriesBounds(spans, days.length, new Map([['registrations', cells]]), []);
    // The days are 1 each and the week 4.
    expect(b.pinned().map((p) => p.span)).toEqual([0, 1, 3, 5, 7]);
    while (b.protect() > 0);
    // Nothing was shown to withhold: the week is opened to ".." (any count).
    expect(cells[7]).toMatchObject({ shown: '..', anyValue: true });
    expect(b.pinned()).toEqual([]);
    expect(b.bounds('registrations', 0)).toEqual([1, 4]);
  });

  it('links series by a relation over any run of days (attendees from other hubs ≤ attendees)', () => {
    // Attendees: 5 and 5 on two days (shown), 10 in the week. From other hubs: the week 9, day one "<5" (4), day two 5.
    // With ".." of day two read as any count, day one alone is 1–4; with ≤ attendees (5), day one is at least 4: pinned.
    const spans = spansOf(1);
    const attended = seriesOf(spans, [5, 5, 0, 0, 0, 0, 0]);
    const others = seriesOf(spans, [4, 5, 0, 0, 0, 0, 0]);
    Object.assign(others[1] as Cell, { shown: '..', anyValue: true });
    const series = new Map([
      ['attended', attended],
      ['others', others],
    ]);
    const alone = new SeriesBounds(spans, 7, series, []);
    expect(alone.bounds('others', 0)).toEqual([1, 4]);
    const linked = new SeriesBounds(
      spans,
      7,
      series,
      [
        {
          terms: [
            { series: 'others', coefficient: 1 },
            { series: 'attended', coefficient: -1 },
          ],
          kind: '<=',
          constant: () => 0,
        },
      ],
    );
    expect(linked.pinned()).toEqual([{ series: 'others', span: 0 }]);
    while (linked.protect() > 0);
    expect(linked.pinned()).toEqual([]);
    // Attendees were withheld to loosen the bound (the cells on the relation's path), not the series itself.
    expect(attended.some((c) => c.shown === '..')).toBe(true);
    expect(linked.bounds('others', 0)).not.toEqual([4, 4]);
  });
});
