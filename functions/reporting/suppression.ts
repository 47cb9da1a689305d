/**
 * Small-number suppression of published counts of people (docs/reporting.md).
 * Primary: a count from 1 to 4 is shown as "<5". Secondary: where the cells of a breakdown
 * add up to a published total, a total that would reveal a single suppressed cell is not
 * given (".."), and a breakdown of a total that is not given keeps at least one cell hidden,
 * so that the total cannot be recovered from it.
 */

/** The smallest count of people that is published as a number. */
export const THRESHOLD = 5;
/** Shown for a count of 1–4 people. */
export const SMALL = '<5';
/** Shown for a number withheld because it would reveal a suppressed one (SCB's symbol). */
export const WITHHELD = '..';

/** A published count of people. */
export type Published = number | typeof SMALL | typeof WITHHELD;

/** A count after primary suppression. */
export const primary = (n: number): Published => (n > 0 && n < THRESHOLD ? SMALL : n);

/** A cell of a suppression group: its true value and what will be published. */
export interface Cell {
  value: number;
  shown: Published;
}

/** A breakdown whose cells add up to a total. */
export interface Group {
  cells: Cell[];
  total: Cell;
}

const hidden = (c: Cell) => typeof c.shown === 'string';

/** Makes a cell for a count of people (primary suppression applied). */
export const cell = (value: number): Cell => ({ value, shown: primary(value) });

/**
 * Applies secondary suppression to groups that may share totals, until nothing changes:
 * a shown total with exactly one hidden non-zero cell is withheld; a hidden total whose cells
 * are all shown gets its smallest non-zero cell withheld.
 */
export function secondary(groups: Group[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of groups) {
      const hiddenCells = g.cells.filter((c) => hidden(c) && c.value > 0).length;
      if (!hidden(g.total) && hiddenCells === 1) {
        g.total.shown = WITHHELD;
        changed = true;
      } else if (hidden(g.total) && g.total.value > 0 && hiddenCells === 0) {
        const smallest = g.cells.filter((c) => c.value > 0).sort((a, b) => a.value - b.value)[0];
        if (smallest) {
          smallest.shown = WITHHELD;
          changed = true;
        }
      }
    }
  }
}
