import { describe, expect, it } from 'vitest';
import { bucket, isoWeek, periodOf } from '../../functions/reporting/periods.ts';
import { cell, primary, protectSeries, secondary, type IntervalCell } from '../../functions/reporting/suppression.ts';

describe('small-number suppression', () => {
  it('shows counts of 1 to 4 people as "<5", and 0 and 5 as they are', () => {
    expect([0, 1, 4, 5, 12].map(primary)).toEqual([0, '<5', '<5', 5, 12]);
  });

  it('withholds a second cell (the smallest other) where the total would reveal the one suppressed cell', () => {
    const total = cell(12);
    const cells = [cell(3), cell(9)];
    secondary([{ cells, total }]);
    expect(cells.map((c) => c.shown)).toEqual(['<5', '..']);
    expect(total.shown).toBe(12);
  });

  it('withholds the total when every other cell is locked (decided by its series)', () => {
    const total = cell(12);
    const cells = [cell(3), { ...cell(9), locked: true }];
    secondary([{ cells, total }]);
    expect([cells[1]?.shown, total.shown]).toEqual([9, '..']);
  });

  it('keeps a total when two cells are suppressed, as neither can be recovered', () => {
    const total = cell(15);
    const cells = [cell(3), cell(4), cell(8)];
    secondary([{ cells, total }]);
    expect(total.shown).toBe(15);
  });

  it('hides a cell of another breakdown of a withheld total, so the total cannot be recovered from it', () => {
    // 12 visitors: 3 first-time (small) and 9 returning (locked); by organisation type 7 and 5.
    const total = cell(12);
    const firstReturning = [cell(3), { ...cell(9), locked: true }];
    const byType = [cell(7), cell(5)];
    secondary([
      { cells: firstReturning, total },
      { cells: byType, total },
    ]);
    expect(total.shown).toBe('..');
    expect(byType.map((c) => c.shown)).toEqual([7, '..']);
  });

  it('lets an unpublished part hide the cells from the total, and protects that part when it is small', () => {
    // 20 attendees, 3 from business: the 17 others are never published, so the 20 stay.
    const attended = cell(20);
    const business = cell(3);
    secondary([{ cells: [business], total: attended, unpublished: [17] }]);
    expect([business.shown, attended.shown]).toEqual(['<5', 20]);
    // 8 attendees, 6 from business: the 2 others would follow from 8 − 6; the smaller shown count is withheld.
    const eight = cell(8);
    const six = cell(6);
    secondary([{ cells: [six], total: eight, unpublished: [2] }]);
    expect([six.shown, eight.shown]).toEqual(['..', 8]);
  });

  it('protects a relation without a total: one hidden cell of registrations + promoted = confirmed + cancelled + waitlisted gets a second', () => {
    // 9 registrations + 2 promoted = 6 confirmed + 0 cancelled + 5 waitlisted: the "<5" promoted would follow from the rest.
    const [registrations, promoted, confirmed, cancelled, waitlisted] = [cell(9), cell(2), cell(6), cell(0), cell(5)];
    secondary([{ cells: [registrations, promoted, confirmed, cancelled, waitlisted] }]);
    expect([registrations, promoted, confirmed, cancelled, waitlisted].map((c) => c.shown)).toEqual([9, '<5', 6, 0, '..']);
    // Two hidden already: nothing more.
    const two = [cell(9), cell(2), cell(3), cell(0), cell(8)];
    secondary([{ cells: two }]);
    expect(two.map((c) => c.shown)).toEqual([9, '<5', '<5', 0, 8]);
  });

  it('withholds one more where the hidden cells are pinned by their bounds: 7 = 5 + "<5" + "<5" makes each 1', () => {
    const total = cell(7);
    const cells = [cell(5), cell(1), cell(1)];
    secondary([{ cells, total }]);
    expect([total, ...cells].map((c) => c.shown)).toEqual(['..', 5, '<5', '<5']);
    // 6 = ".." + "<5" (at least 5 and 1): pinned; a cell above 5 is withheld rather than the total.
    const total2 = cell(20);
    const cells2 = [cell(5), cell(1), cell(14)];
    cells2[0]!.shown = '..';
    secondary([{ cells: cells2, total: total2 }]);
    expect([total2, ...cells2].map((c) => c.shown)).toEqual([20, '..', '<5', '..']);
  });

  it('leaves a table without small cells alone', () => {
    const total = cell(20);
    const cells = [cell(0), cell(5), cell(15)];
    secondary([{ cells, total }]);
    expect([total, ...cells].map((c) => c.shown)).toEqual([20, 0, 5, 15]);
  });
});

describe('series over time (intervals of days)', () => {
  const iv = (start: number, end: number, value: number): IntervalCell => ({ start, end, cell: cell(value) });
  const shownOf = (s: IntervalCell[]) => s.map((c) => c.cell.shown);

  it('withholds a day where a week minus its shown days pins the hidden ones: 8 − 6 = 2 makes two "<5" days 1 each', () => {
    const days = [6, 1, 1, 0, 0, 0, 0].map((n, i) => iv(i, i + 1, n));
    const week = iv(0, 7, 8);
    expect(protectSeries([...days, week])).toBe(true);
    expect(shownOf([...days, week])).toEqual(['..', '<5', '<5', 0, 0, 0, 0, 8]);
  });

  it('withholds the smallest other day of a week whose one small day would follow from the week', () => {
    // Days 0–6 of a week: 5, 0, 2, 0, 0, 0, 0; the week 7.
    const days = [5, 0, 2, 0, 0, 0, 0].map((v, i) => iv(i, i + 1, v));
    const week = iv(0, 7, 7);
    expect(protectSeries([...days, week])).toBe(true);
    expect(shownOf([...days, week])).toEqual(['..', 0, '<5', 0, 0, 0, 0, 7]);
  });

  it('protects across weeks and months that cross (a cell linked only through a third interval)', () => {
    // Days 0..3; a "week" [0,2), a "month" [1,4), the total [0,4). Day 1 is small; weeks and months cross.
    const s = [iv(0, 1, 6), iv(1, 2, 2), iv(2, 3, 7), iv(3, 4, 9), iv(0, 2, 8), iv(1, 4, 18), iv(0, 4, 24)];
    protectSeries(s);
    // Whatever was withheld, no path of shown intervals joins the ends of the small day (1 and 2).
    const shown = s.filter((c) => typeof c.cell.shown === 'number');
    const linked = new Set([1]);
    for (let grown = true; grown; ) {
      grown = false;
      for (const c of shown) {
        if (linked.has(c.start) !== linked.has(c.end)) {
          linked.add(c.start).add(c.end);
          grown = true;
        }
      }
    }
    expect(linked.has(2)).toBe(false);
    expect(s[1]?.cell.shown).toBe('<5');
  });

  it('leaves a series without small cells alone', () => {
    const s = [iv(0, 1, 5), iv(1, 2, 0), iv(0, 2, 5)];
    expect(protectSeries(s)).toBe(false);
    expect(shownOf(s)).toEqual([5, 0, 5]);
  });
});

describe('report periods', () => {
  it('labels ISO weeks across a year end', () => {
    expect(isoWeek('2026-12-31')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
  });

  it('labels months, quarters and years', () => {
    expect(['month', 'quarter', 'year'].map((p) => periodOf('2026-11-27', p as 'month'))).toEqual(['2026-11', '2026-Q4', '2026']);
  });

  it('groups a range into periods clipped to the range', () => {
    expect(bucket('2026-03-30', '2026-04-02', 'month')).toEqual([
      { label: '2026-03', from: '2026-03-30', to: '2026-03-31', dates: ['2026-03-30', '2026-03-31'] },
      { label: '2026-04', from: '2026-04-01', to: '2026-04-02', dates: ['2026-04-01', '2026-04-02'] },
    ]);
  });
});
