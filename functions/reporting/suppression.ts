/**
 * Small-number suppression of published counts of people (docs/reporting.md, "Small-number
 * suppression"). Primary: a count from 1 to 4 is shown as "<5". Secondary: within a row, a
 * breakdown never leaves exactly one cell to be recovered from its total (`secondary`, with
 * `unpublished` parts for counts that are only implied); over time, a series of intervals is
 * protected so that no hidden interval equals a sum and difference of shown ones
 * (`protectSeries`).
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
  /**
   * Decided elsewhere (by `protectSeries` or as a sum of hub cells): secondary suppression within a row
   * does not hide it, so that its pattern stays the same whichever rows a report shows.
   */
  locked?: boolean;
  /**
   * Withheld whatever its value: `".."` here may be any count, 1–4 too (promotions in a period, a network
   * sum of more than one hub's `"<5"`, a `"<5"` the interval audit opened). Other withheld cells were shown
   * counts, so 0 or 5 and more, and zeros are never withheld: at least 5.
   */
  anyValue?: boolean;
}

/**
 * A breakdown whose cells add up to a total. `unpublished` are the values of parts that are
 * never published themselves but follow from the total minus the cells (the attendees who are
 * not from a business): each is a count of people that must not be derivable when it is 1–4,
 * and being unknown it also keeps the cells from being derived from the total.
 */
export interface Group {
  cells: Cell[];
  /**
   * The cells' sum. Left out for a relation that is not a sum with a total of its own
   * (registrations + promoted = confirmed + cancelled + waitlisted): then any one cell follows
   * from the others, so a single hidden cell gets a second one withheld.
   */
  total?: Cell;
  unpublished?: number[];
}

/** Whether a cell is not published as a number. */
export const hidden = (c: Cell) => typeof c.shown === 'string';
const small = (n: number) => n > 0 && n < THRESHOLD;

/** Makes a cell for a count of people (primary suppression applied). */
export const cell = (value: number): Cell => ({ value, shown: primary(value) });

/** The cell to withhold next among candidates: the smallest non-zero one that is shown and not locked. */
function smallestShown(cells: Cell[]): Cell | undefined {
  return cells.filter((c) => !hidden(c) && c.value > 0 && !c.locked).sort((a, b) => a.value - b.value)[0];
}

/**
 * Applies secondary suppression to groups that may share cells, until nothing changes:
 *
 * - a group with unpublished parts is safe unless one of those parts is 1–4 and the total and
 *   every cell are shown: then its smallest shown cell (or the total) is withheld;
 * - otherwise a shown total with exactly one hidden non-zero cell gets a second cell withheld
 *   (the smallest other shown one, or the total when every other cell is locked or zero);
 * - a shown total whose hidden cells are pinned by their bounds (`pinned`) gets one more withheld;
 * - a hidden total whose cells are all shown gets its smallest non-zero cell withheld;
 * - a relation without a total with exactly one hidden non-zero cell gets a second withheld.
 *
 * A cell that is `locked` is never withheld here.
 */
export function secondary(groups: Group[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of groups) {
      const hiddenCells = g.cells.filter((c) => hidden(c) && c.value > 0);
      let victim: Cell | undefined;
      if (!g.total) {
        if (hiddenCells.length === 1) victim = smallestShown(g.cells.filter((c) => c !== hiddenCells[0]));
      } else if (g.unpublished) {
        // An unknown part hides the cells from the total; only a small part itself needs protecting.
        if (g.unpublished.some(small) && !hidden(g.total) && hiddenCells.length === 0) victim = smallestShown([...g.cells, g.total]);
      } else if (!hidden(g.total) && hiddenCells.length === 1) {
        victim = smallestShown(g.cells.filter((c) => c !== hiddenCells[0])) ?? smallestShown([g.total]);
      } else if (!hidden(g.total) && hiddenCells.length > 1 && pinned(g.total.value - g.cells.filter((c) => !hidden(c)).reduce((n, c) => n + c.value, 0), hiddenCells)) {
        // Bounds: the hidden cells' sum is known and each is at least 1 ("<5") or 5 (".."): where the sum is
        // the least they can be (or every one is "<5" and it is 4 each), each is exact. A withheld cell more
        // (not a 5: it would be exact at its least too), or the total.
        const others = g.cells.filter((c) => !hidden(c) && c.value > 5 && !c.locked).sort((a, b) => a.value - b.value);
        victim = others[0] ?? smallestShown([g.total]) ?? smallestShown(g.cells.filter((c) => c !== hiddenCells[0]));
      } else if (hidden(g.total) && g.total.value > 0 && hiddenCells.length === 0) {
        victim = smallestShown(g.cells);
      }
      if (victim) {
        victim.shown = WITHHELD;
        changed = true;
      }
    }
  }
}

/** The least a hidden count of people can be: 1 for "<5", 5 for ".." (withheld among shown numbers, never 1–4). */
const least = (c: Cell) => (c.shown === SMALL ? 1 : c.anyValue ? 0 : THRESHOLD);

/**
 * Whether hidden cells whose sum is known are each pinned by their bounds: the sum is the least they
 * can add up to, or every one is "<5" and the sum is 4 each.
 */
export function pinned(sum: number, hiddenCells: Cell[]): boolean {
  return sum === hiddenCells.reduce((n, c) => n + least(c), 0) || (hiddenCells.every((c) => c.shown === SMALL) && sum === (THRESHOLD - 1) * hiddenCells.length);
}

/** A count of people over an interval of days, one cell of a series (a hub's registrations, day by day, week by week, …). */
export interface IntervalCell {
  /** Index of the first day of the interval in the report's range. */
  start: number;
  /** Index of the day after the last. */
  end: number;
  cell: Cell;
}

/**
 * Protects a series of counts that add up over time (every period of every granularity of
 * a range, and the range itself) against subtraction, until nothing changes.
 *
 * The count of an interval [s, e) is P(e) − P(s), where P(t) is the count of the days before t.
 * A shown interval tells the difference between its two ends, so what the shown intervals
 * reveal is exactly this: P(e) − P(s) is known if and only if s and e are connected by a path of
 * shown intervals (a graph whose nodes are the days' boundaries and whose edges are the shown
 * intervals). A hidden interval is therefore safe from every sum and difference of shown
 * intervals (weeks minus days, a month minus its weeks, a total minus its months, across
 * granularities) exactly when its ends are not connected. While a hidden interval's ends are
 * connected, the smallest non-zero shown interval on a path between them is withheld.
 *
 * Returns whether anything was withheld.
 */
export function protectSeries(series: IntervalCell[]): boolean {
  let changed = false;
  for (;;) {
    const shownEdges = series.filter((c) => !hidden(c.cell));
    const parent = new Map<number, number>();
    const find = (i: number): number => {
      for (let up = parent.get(i); up !== undefined && up !== i; up = parent.get(i)) i = up;
      return i;
    };
    for (const c of shownEdges) {
      const [a, b] = [find(c.start), find(c.end)];
      if (a !== b) parent.set(a, b);
    }
    const exposed = series.find((c) => hidden(c.cell) && c.cell.value > 0 && find(c.start) === find(c.end));
    if (!exposed) {
      const bound = pinnedDays(series);
      if (!bound) return changed;
      bound.shown = WITHHELD;
      changed = true;
      continue;
    }
    const path = shortestPath(shownEdges, exposed.start, exposed.end);
    // Every path between the ends of a non-zero interval holds a non-zero interval (they sum to it).
    const victim = path.filter((c) => c.cell.value > 0).sort((a, b) => a.cell.value - b.cell.value || a.end - a.start - (b.end - b.start) || a.start - b.start)[0];
    if (!victim) throw new Error('A path of zero intervals cannot add up to a non-zero one');
    victim.cell.shown = WITHHELD;
    changed = true;
  }
}

/**
 * Bounds over days: a shown interval minus its shown days is the sum of its hidden days, each at
 * least 1 ("<5") or 5 (".."). Where that pins them (`pinned`), returns the cell to withhold: a shown
 * day of the interval above 5, or else the interval itself.
 */
function pinnedDays(series: IntervalCell[]): Cell | undefined {
  const days = new Map(series.filter((c) => c.end - c.start === 1).map((c) => [c.start, c.cell]));
  for (const iv of series) {
    if (hidden(iv.cell) || iv.end - iv.start < 2) continue;
    const inside = Array.from({ length: iv.end - iv.start }, (_, i) => days.get(iv.start + i));
    if (inside.some((d) => d === undefined)) continue;
    const cells = inside as Cell[];
    const hiddenDays = cells.filter((d) => hidden(d) && d.value > 0);
    if (hiddenDays.length < 2) continue;
    const sum = iv.cell.value - cells.filter((d) => !hidden(d)).reduce((n, d) => n + d.value, 0);
    if (!pinned(sum, hiddenDays)) continue;
    return cells.filter((d) => !hidden(d) && d.value > THRESHOLD).sort((a, b) => a.value - b.value)[0] ?? iv.cell;
  }
  return undefined;
}

/** The intervals of a shortest path (fewest intervals) from one boundary to another, breadth first. */
function shortestPath(edges: IntervalCell[], from: number, to: number): IntervalCell[] {
  const adjacent = new Map<number, IntervalCell[]>();
  for (const e of edges) for (const n of [e.start, e.end]) adjacent.set(n, [...(adjacent.get(n) ?? []), e]);
  const via = new Map<number, IntervalCell | null>([[from, null]]);
  const queue = [from];
  for (const n of queue) {
    if (via.has(to)) break;
    for (const e of adjacent.get(n) ?? []) {
      const next = e.start === n ? e.end : e.start;
      if (!via.has(next)) {
        via.set(next, e);
        queue.push(next);
      }
    }
  }
  const path: IntervalCell[] = [];
  for (let n = to; n !== from; ) {
    const e = via.get(n);
    if (!e) throw new Error('No path between connected boundaries');
    path.push(e);
    n = e.start === n ? e.end : e.start;
  }
  return path;
}
