/**
 * The interval audit of suppression (docs/reporting.md, "Bounds over several levels"): what an
 * attacker with a linear-programming solver can work out from everything a report of one range
 * publishes for one hub, done at suppression time, without a solver.
 *
 * A hub's additive counts of people (registrations, first-time visitors, each event count) are
 * series over the intervals of the range: the range, its quarters, months, weeks and days. With
 * P(t) the count of the days before t, an interval [s, e) is P(e) − P(s), and what is published
 * of it is a bound: a number is P(e) − P(s) = n, `"<5"` is 1 ≤ P(e) − P(s) ≤ 4, `".."` is
 * P(e) − P(s) ≥ 0. A series is therefore a system of difference constraints, and the least and
 * most any interval can be given all of them are exact shortest paths in its constraint graph
 * (nodes: the day boundaries; an edge s → e of weight `hi` and e → s of weight −`lo` per
 * interval): `hi(s, e) = dist(s → e)`, `lo(s, e) = −dist(e → s)`. This is the linear program's
 * answer for one series (a system of difference constraints is totally unimodular).
 *
 * Series are linked by relations that hold in every interval (participants from other hubs ≤
 * attendees ≤ confirmed, registrations + promoted = confirmed + cancelled + waitlisted − those
 * cancelled on the waitlist, …). Those are propagated as bounds: each relation tightens the bounds
 * of one series' interval from the others' bounds, the tightened bound becomes one more edge of that
 * series' graph, and this repeats until nothing changes. That is a relaxation of the joint linear
 * program (it can only find less), so `npm run audit:disclosure`, the joint program itself, checks
 * that it is enough.
 *
 * The criterion, the same as the audit's: a hidden count of 1–4 people is **pinned** when its least
 * and most are equal. While one is, a number on a path that makes it tight is withheld (the smallest
 * shown non-zero count on it).
 */
import { SMALL, WITHHELD, hidden, type Cell } from './suppression.ts';

/** An interval of the range, by the indexes of its first day and the day after its last. */
export interface Span {
  start: number;
  end: number;
}

/** A relation between series that holds in every interval: Σ coefficient × series ≤ (or =) a constant. */
export interface Relation {
  terms: { series: string; coefficient: 1 | -1 }[];
  kind: '<=' | '=';
  /** The constant over the days [start, end) (a relation holds over any run of days, published or not). */
  constant: (start: number, end: number) => number;
}

/**
 * The bounds an attacker has for a published cell: a number, `"<5"` 1–4, `".."` at least `withheldLeast`
 * (5 where the rules withhold only shown numbers, which are 0 or 5 and more, and zeros are never withheld;
 * 0 for a series withheld whatever its value, as promotions in a period are).
 */
function boundsOfCell(c: Cell, withheldLeast: number): [number, number] {
  if (!hidden(c)) return [c.shown as number, c.shown as number];
  return c.shown === SMALL ? [1, 4] : [withheldLeast, Number.POSITIVE_INFINITY];
}

/** Whether a cell is a count of 1–4 people that is not published as a number. */
const sensitive = (c: Cell) => hidden(c) && c.value > 0 && c.value < 5;

/** One series' constraint graph solved for every pair of day boundaries. */
interface Solved {
  /** dist[a * size + b]: the most P(b) − P(a) can be. */
  dist: Float64Array;
  /** The next node on a shortest path from a to b. */
  next: Int32Array;
  /** For a direct edge a → b: whether it came from a relation (true) or the cell itself (false). */
  derived: Uint8Array;
  size: number;
}

/**
 * Bounds and their protection for one hub's series. `spans` are the intervals every series is
 * published over (each series gives one cell per span, in that order); `days` the number of days of
 * the range. `given` are bounds from outside the series (a row's unique visitors bound its
 * first-time visitors), by series and span index.
 */
export class SeriesBounds {
  private readonly size: number;
  /** Bounds from relations and from outside, by series and pair of boundaries (start × size + end). */
  private readonly extra = new Map<string, Map<number, [number, number]>>();
  private solved = new Map<string, Solved>();
  private readonly spanAt = new Map<number, number>();

  constructor(
    private readonly spans: Span[],
    days: number,
    private readonly series: Map<string, Cell[]>,
    private readonly relations: Relation[],
    private readonly given: Map<string, Map<number, [number, number]>> = new Map(),
    private readonly withheldAnyValue: Set<string> = new Set(),
  ) {
    this.size = days + 1;
    spans.forEach((s, i) => {
      this.spanAt.set(s.start * this.size + s.end, i);
    });
  }

  /** The least and most a series' count over a span can be, given everything published. */
  bounds(key: string, span: number): [number, number] {
    const { start, end } = this.spans[span] as Span;
    return this.between(key, start, end);
  }

  /** The least and most a series' count over the days [start, end) can be. */
  private between(key: string, start: number, end: number): [number, number] {
    const s = this.solve(key);
    return [-(s.dist[end * s.size + start] as number), s.dist[start * s.size + end] as number];
  }

  /** Solves every series and propagates the relations until nothing changes. */
  private propagate(): void {
    this.extra.clear();
    for (const [k, g] of this.given) {
      const byPair = new Map<number, [number, number]>();
      for (const [i, b] of g) {
        const { start, end } = this.spans[i] as Span;
        byPair.set(start * this.size + end, [...b]);
      }
      this.extra.set(k, byPair);
    }
    this.solved.clear();
    for (let rounds = 0; ; rounds++) {
      // Integer bounds that only tighten settle in a few rounds; the guard only keeps a bug from looping.
      if (rounds > 200) return;
      // Every relation over every span, from the bounds as they stand; the tightened series are solved again after the round.
      const tightened = new Set<string>();
      for (const r of this.relations) {
        // Over every run of days, published or not: two days' registrations are at least their confirmed,
        // though no published interval holds just those two.
        for (let i = 0; i < this.size * this.size; i++) {
          const [start, end] = [Math.floor(i / this.size), i % this.size];
          if (start >= end) continue;
          const k = r.constant(start, end);
          // c·x as bounds: its least and most.
          const terms = r.terms.map((t) => {
            const [lo, hi] = this.between(t.series, start, end);
            return t.coefficient > 0 ? [lo, hi] : [-hi, -lo];
          }) as [number, number][];
          r.terms.forEach((t, j) => {
            const others = terms.filter((_, o) => o !== j);
            // c·x ≤ k − (the least of the others); with =, c·x ≥ k − (their most).
            const up = k - others.reduce((n, [lo]) => n + lo, 0);
            const down = r.kind === '=' ? k - others.reduce((n, [, hi]) => n + hi, 0) : Number.NEGATIVE_INFINITY;
            const [lo, hi] = t.coefficient > 0 ? [down, up] : [-up, -down];
            if (Number.isNaN(lo) || Number.isNaN(hi)) return;
            const e = this.extra.get(t.series) ?? new Map<number, [number, number]>();
            const old = e.get(i) ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
            const [clo, chi] = this.between(t.series, start, end);
            if (lo > clo || hi < chi) {
              e.set(i, [Math.max(old[0], lo), Math.min(old[1], hi)]);
              this.extra.set(t.series, e);
              tightened.add(t.series);
            }
          });
        }
      }
      for (const k of tightened) this.solved.delete(k);
      const changed = tightened.size > 0;
      if (!changed) return;
    }
  }

  /** The all-pairs shortest paths of one series' constraint graph (Floyd–Warshall over the day boundaries). */
  private solve(key: string): Solved {
    const done = this.solved.get(key);
    if (done) return done;
    const n = this.size;
    const dist = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
    const next = new Int32Array(n * n).fill(-1);
    const derived = new Uint8Array(n * n);
    for (let a = 0; a < n; a++) {
      dist[a * n + a] = 0;
      next[a * n + a] = a;
    }
    const edge = (a: number, b: number, w: number, fromRelation: boolean) => {
      if (w < (dist[a * n + b] as number)) {
        dist[a * n + b] = w;
        next[a * n + b] = b;
        derived[a * n + b] = fromRelation ? 1 : 0;
      }
    };
    const cells = this.series.get(key) ?? [];
    this.spans.forEach(({ start, end }, i) => {
      const c = cells[i];
      if (!c) return;
      const [lo, hi] = boundsOfCell(c, this.withheldAnyValue.has(key) ? 0 : 5);
      edge(start, end, hi, false);
      edge(end, start, -lo, false);
    });
    for (const [i, [lo, hi]] of this.extra.get(key) ?? []) {
      const [start, end] = [Math.floor(i / n), i % n];
      edge(start, end, hi, true);
      edge(end, start, -lo, true);
    }
    for (let m = 0; m < n; m++) {
      const rowM = m * n;
      for (let a = 0; a < n; a++) {
        const am = dist[a * n + m] as number;
        if (am === Number.POSITIVE_INFINITY) continue;
        const rowA = a * n;
        const via = next[rowA + m] as number;
        for (let b = 0; b < n; b++) {
          const w = am + (dist[rowM + b] as number);
          if (w < (dist[rowA + b] as number)) {
            dist[rowA + b] = w;
            next[rowA + b] = via;
          }
        }
      }
    }
    for (let a = 0; a < n; a++) if ((dist[a * n + a] as number) < 0) throw new Error(`The published bounds of ${key} contradict each other`);
    const s = { dist, next, derived, size: n };
    this.solved.set(key, s);
    return s;
  }

  /** The direct edges of a shortest path from a to b, as runs of days, and whether each came from a relation. */
  private path(key: string, a: number, b: number): { start: number; end: number; derived: boolean }[] {
    const s = this.solve(key);
    const out: { start: number; end: number; derived: boolean }[] = [];
    for (let u = a, guard = 0; u !== b && guard <= s.size; guard++) {
      const v = s.next[u * s.size + b] as number;
      if (v < 0) break;
      out.push({ start: Math.min(u, v), end: Math.max(u, v), derived: s.derived[u * s.size + v] === 1 });
      u = v;
    }
    return out;
  }

  /** The pinned cells: hidden counts of 1–4 people whose least and most are equal. */
  pinned(): { series: string; span: number }[] {
    this.propagate();
    const out: { series: string; span: number }[] = [];
    for (const [key, cells] of this.series)
      cells.forEach((c, i) => {
        if (!sensitive(c)) return;
        const [lo, hi] = this.bounds(key, i);
        if (hi - lo < 0.5) out.push({ series: key, span: i });
      });
    return out;
  }

  /**
   * Withholds one number that makes a pinned cell tight, if any cell is pinned. Candidates are the
   * cells on the two shortest paths that give its least and most (and, for an edge that a relation
   * gave, the cells of the related series over the same interval): the smallest shown non-zero one
   * is withheld; where there is none, the smallest shown non-zero count of the series overlapping it.
   */
  protectOne(): boolean {
    for (const p of this.pinned()) {
      const victim = this.victimFor(p);
      if (!victim) continue;
      victim.shown = WITHHELD;
      return true;
    }
    return false;
  }

  /** The cell to withhold for a pinned one (see `protectOne`); as a last resort a shown non-zero cell of the series overlapping it. */
  private victimFor(p: { series: string; span: number }): Cell | undefined {
    const { start, end } = this.spans[p.span] as Span;
    const onPaths = [...this.path(p.series, start, end), ...this.path(p.series, end, start)];
    const candidates: Cell[] = [];
    const add = (k: string, i: number) => {
      const c = this.series.get(k)?.[i];
      if (c && !candidates.includes(c)) candidates.push(c);
    };
    for (const e of onPaths) {
      if (!e.derived) {
        const i = this.spanAt.get(e.start * this.size + e.end);
        if (i !== undefined) add(p.series, i);
        continue;
      }
      // A bound from a relation: the cells of the related series (and this one) within those days made it.
      for (const k of [p.series, ...this.relatedTo(p.series)])
        this.spans.forEach((sp, i) => {
          if (sp.start >= e.start && sp.end <= e.end) add(k, i);
        });
    }
    const cells = this.series.get(p.series) ?? [];
    const bySize = (a: Cell, b: Cell) => a.value - b.value;
    const shownOnes = candidates.filter((c) => !hidden(c) && c.value > 0).sort(bySize);
    const overlapping = cells.filter((c, i) => !hidden(c) && c.value > 0 && (this.spans[i] as Span).start < end && (this.spans[i] as Span).end > start).sort(bySize);
    return shownOnes[0] ?? overlapping[0];
  }

  /** The series that share a relation with a series. */
  private relatedTo(key: string): string[] {
    const out = new Set<string>();
    for (const r of this.relations) if (r.terms.some((t) => t.series === key)) for (const t of r.terms) if (t.series !== key) out.add(t.series);
    return [...out];
  }
}
