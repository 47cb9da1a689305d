import { describe, expect, it } from 'vitest';
import { bucket, isoWeek, periodOf } from '../../functions/reporting/periods.ts';
import { cell, primary, secondary } from '../../functions/reporting/suppression.ts';

describe('small-number suppression', () => {
  it('shows counts of 1 to 4 people as "<5", and 0 and 5 as they are', () => {
    expect([0, 1, 4, 5, 12].map(primary)).toEqual([0, '<5', '<5', 5, 12]);
  });

  it('withholds a total that would reveal the one suppressed cell of its breakdown', () => {
    const total = cell(12);
    const cells = [cell(3), cell(9)];
    secondary([{ cells, total }]);
    expect(cells.map((c) => c.shown)).toEqual(['<5', 9]);
    expect(total.shown).toBe('..');
  });

  it('keeps a total when two cells are suppressed, as neither can be recovered', () => {
    const total = cell(15);
    const cells = [cell(3), cell(4), cell(8)];
    secondary([{ cells, total }]);
    expect(total.shown).toBe(15);
  });

  it('hides a cell of another breakdown of a withheld total, so the total cannot be recovered from it', () => {
    // 12 visitors: 3 first-time and 9 returning; by organisation type 7 and 5.
    const total = cell(12);
    const firstReturning = [cell(3), cell(9)];
    const byType = [cell(7), cell(5)];
    secondary([
      { cells: firstReturning, total },
      { cells: byType, total },
    ]);
    expect(total.shown).toBe('..');
    expect(byType.map((c) => c.shown)).toEqual([7, '..']);
  });

  it('leaves a table without small cells alone', () => {
    const total = cell(20);
    const cells = [cell(0), cell(5), cell(15)];
    secondary([{ cells, total }]);
    expect([total, ...cells].map((c) => c.shown)).toEqual([20, 0, 5, 15]);
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
