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
  /**
   * Whether it holds over the days [start, end): an attacker assumes it everywhere, but real data has
   * exceptions (an attendee whose registration was cancelled, an attendance delivered before its
   * registration), and a relation that is false there would make the bounds contradict the truth.
   */
  holds?: (start: number, end: number) => boolean;
}

/**
 * The bounds an attacker has for a published cell: a number, `"<5"` 1–4, `".."` at least 5 (the rules
 * withhold shown counts, which are 0 or 5 and more, and never a 0), or at least 0 where the cell may be
 * any count (`Cell.anyValue`).
 */
function boundsOfCell(c: Cell): [number, number] {
  if (!hidden(c)) return [c.shown as number, c.shown as number];
  return c.shown === SMALL ? [1, 4] : [c.anyValue ? 0 : 5, Number.POSITIVE_INFINITY];
}

/** Whether a cell is a count of 1–4 people that is not published as a number. */
const sensitive = (c: Cell) => hidden(c) && c.value > 0 && c.value < 5;

/** One series' constraint graph solved for every pair of its nodes. */
interface Solved {
  /** dist[a * size + b]: the most P(b) − P(a) can be, over nodes (day boundaries joined where a day is known to be 0). */
  dist: Float64Array;
  /** The next node on a shortest path from a to b. */
  next: Int32Array;
  /** What a direct edge a → b came from: a span's index (its own cell), or −1 − (start × boundaries + end) for a relation's run of days. */
  origin: Int32Array;
  size: number;
}

/** A bound from a relation or from outside, on a series over a run of days. */
interface Extra {
  lo: number;
  hi: number;
  start: number;
  end: number;
}

/**
 * Bounds and their protection for one hub's series. `spans` are the intervals every series is
 * published over (each series gives one cell per span, in that order, and every day is a span);
 * `days` the number of days of the range. `given` are bounds from outside the series (a row's unique
 * visitors bound its first-time visitors), by series and span index. A `".."` is at least 5 unless the cell
 * says it may be any count (`Cell.anyValue`: promotions in a period, a `"<5"` this audit opened). `zeroWith` names, for
 * a series, others whose shown 0 on a day makes it 0 too (no promotions on a day without waitlist).
 *
 * Days known to be 0 join their two boundaries into one node (an exact reduction: P does not change
 * over them), so a series with events on a fifth of the days solves a graph a fifth the size.
 */
export class SeriesBounds {
  private readonly boundaries: number;
  private readonly extra = new Map<string, Map<number, Extra>>();
  private readonly solved = new Map<string, Solved>();
  /** Per series, the node of every day boundary. */
  private readonly nodes = new Map<string, Int32Array>();
  private readonly components: string[][];
  private readonly dirty = new Set<number>();
  /** A span's index by its start × boundaries + end. */
  private readonly spanAt = new Map<number, number>();

  constructor(
    private readonly spans: Span[],
    days: number,
    private readonly series: Map<string, Cell[]>,
    private readonly relations: Relation[],
    /** Bounds from outside the series, by span index, read again whenever the series is solved (see `onStuck`). */
    private readonly given: (key: string) => Map<number, [number, number]> | undefined = () => undefined,
    private readonly zeroWith: Map<string, string[]> = new Map(),
    /** Series whose `"<5"` must stay `"<5"` (their `".."` is read as at least 5 elsewhere). */
    private readonly closed: Set<string> = new Set(),
    /**
     * Called for a pinned cell with nothing in its series left to withhold, with the spans whose outside
     * bounds (`given`) are on its paths: true when the caller loosened those (a row gives less), so the
     * series is solved again.
     */
    private readonly onStuck?: (series: string, spans: number[]) => boolean,
  ) {
    this.boundaries = days + 1;
    spans.forEach((sp, i) => {
      this.spanAt.set(sp.start * this.boundaries + sp.end, i);
    });
    // Series linked by relations are solved together.
    const parent = new Map<string, string>([...series.keys()].map((k) => [k, k]));
    const find = (k: string): string => {
      for (let up = parent.get(k) ?? k; up !== k; up = parent.get(k) ?? k) k = up;
      return k;
    };
    for (const r of relations) for (const t of r.terms.slice(1)) parent.set(find(t.series), find((r.terms[0] as Relation['terms'][number]).series));
    const groups = new Map<string, string[]>();
    for (const k of series.keys()) groups.set(find(k), [...(groups.get(find(k)) ?? []), k]);
    this.components = [...groups.values()];
    this.components.forEach((_, i) => {
      this.dirty.add(i);
    });
    for (const k of series.keys()) this.nodes.set(k, this.nodesOf(k));
  }

  /** The nodes of a series: a day shown as 0 (or 0 by `zeroWith`) joins the boundaries around it. */
  private nodesOf(key: string): Int32Array {
    const zero = new Uint8Array(this.boundaries);
    for (const k of [key, ...(this.zeroWith.get(key) ?? [])]) {
      const cells = this.series.get(k) ?? [];
      this.spans.forEach((sp, i) => {
        if (sp.end - sp.start === 1 && cells[i]?.shown === 0) zero[sp.start] = 1;
      });
    }
    const out = new Int32Array(this.boundaries);
    for (let t = 1; t < this.boundaries; t++) out[t] = (out[t - 1] as number) + (zero[t - 1] ? 0 : 1);
    return out;
  }

  /** The least and most a series' count over a span can be, given everything published. */
  bounds(key: string, span: number): [number, number] {
    const { start, end } = this.spans[span] as Span;
    return this.between(key, start, end);
  }

  /** The least and most a series' count over the days [start, end) can be. */
  private between(key: string, start: number, end: number): [number, number] {
    const s = this.solve(key);
    const n = this.nodes.get(key) as Int32Array;
    const [a, b] = [n[start] as number, n[end] as number];
    return [-(s.dist[b * s.size + a] as number), s.dist[a * s.size + b] as number];
  }

  /** Solves the series of every changed component and propagates their relations until nothing changes. */
  private propagate(): void {
    for (const c of this.dirty) this.settle(this.components[c] as string[]);
    this.dirty.clear();
  }

  private settle(component: string[]): void {
    const relations = this.relations.filter((r) => r.terms.some((t) => component.includes(t.series)));
    for (const k of component) {
      this.solved.delete(k);
      const byNodes = new Map<number, Extra>();
      this.extra.set(k, byNodes);
      for (const [i, [lo, hi]] of this.given(k) ?? []) {
        const { start, end } = this.spans[i] as Span;
        this.tighten(k, start, end, lo, hi);
      }
    }
    if (relations.length === 0) return;
    // The runs of days to relate: between boundaries where some series of the component changes (the others
    // give the same bounds as their neighbours).
    const cuts = Array.from({ length: this.boundaries }, (_, t) => t).filter((t) => t === 0 || component.some((k) => (this.nodes.get(k) as Int32Array)[t] !== (this.nodes.get(k) as Int32Array)[t - 1]));
    for (let rounds = 0; rounds <= 200; rounds++) {
      // Every relation over every run of days, published or not (two days' registrations are at least their
      // confirmed, though no published interval holds just those two), from the bounds as they stand; the
      // tightened series are solved again after the round.
      const tightened = new Set<string>();
      for (const r of relations) {
        for (let x = 0; x < cuts.length; x++) {
          for (let y = x + 1; y < cuts.length; y++) {
            const [start, end] = [cuts[x] as number, cuts[y] as number];
            if (r.holds && !r.holds(start, end)) continue;
            const k = r.constant(start, end);
            // c·x as bounds: its least and most.
            const terms = r.terms.map((t) => {
              const [lo, hi] = this.between(t.series, start, end);
              return t.coefficient > 0 ? [lo, hi] : [-hi, -lo];
            }) as [number, number][];
            r.terms.forEach((t, j) => {
              let restLeast = 0;
              let restMost = 0;
              terms.forEach(([lo, hi], o) => {
                if (o === j) return;
                restLeast += lo;
                restMost += hi;
              });
              // c·x ≤ k − (the least of the others); with =, c·x ≥ k − (their most).
              const up = k - restLeast;
              const down = r.kind === '=' ? k - restMost : Number.NEGATIVE_INFINITY;
              const [lo, hi] = t.coefficient > 0 ? [down, up] : [-up, -down];
              if (Number.isNaN(lo) || Number.isNaN(hi)) return;
              const [clo, chi] = this.between(t.series, start, end);
              if (lo > clo || hi < chi) {
                this.tighten(t.series, start, end, lo, hi);
                tightened.add(t.series);
              }
            });
          }
        }
      }
      for (const k of tightened) this.solved.delete(k);
      if (tightened.size === 0) return;
    }
  }

  /** Records a bound on a series over a run of days. */
  private tighten(key: string, start: number, end: number, lo: number, hi: number): void {
    const n = this.nodes.get(key) as Int32Array;
    const pair = (n[start] as number) * this.boundaries + (n[end] as number);
    const byNodes = this.extra.get(key) ?? new Map<number, Extra>();
    this.extra.set(key, byNodes);
    const old = byNodes.get(pair);
    byNodes.set(pair, { lo: Math.max(old?.lo ?? Number.NEGATIVE_INFINITY, lo), hi: Math.min(old?.hi ?? Number.POSITIVE_INFINITY, hi), start, end });
  }

  /** The all-pairs shortest paths of one series' constraint graph (Floyd–Warshall over its nodes). */
  private solve(key: string): Solved {
    const done = this.solved.get(key);
    if (done) return done;
    const nodes = this.nodes.get(key) as Int32Array;
    const n = (nodes[this.boundaries - 1] as number) + 1;
    const dist = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
    const next = new Int32Array(n * n).fill(-1);
    const origin = new Int32Array(n * n).fill(-1);
    for (let a = 0; a < n; a++) {
      dist[a * n + a] = 0;
      next[a * n + a] = a;
    }
    const edge = (a: number, b: number, w: number, from: number) => {
      if (a !== b && w < (dist[a * n + b] as number)) {
        dist[a * n + b] = w;
        next[a * n + b] = b;
        origin[a * n + b] = from;
      }
    };
    const cells = this.series.get(key) ?? [];
    this.spans.forEach(({ start, end }, i) => {
      const c = cells[i];
      if (!c) return;
      const [lo, hi] = boundsOfCell(c);
      const [a, b] = [nodes[start] as number, nodes[end] as number];
      if (a === b && lo > 0) throw new Error(`The published bounds of ${key} contradict each other`);
      edge(a, b, hi, i);
      edge(b, a, -lo, i);
    });
    for (const x of this.extra.get(key)?.values() ?? []) {
      const [a, b] = [nodes[x.start] as number, nodes[x.end] as number];
      const run = -1 - (x.start * this.boundaries + x.end);
      edge(a, b, x.hi, run);
      edge(b, a, -x.lo, run);
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
    const s = { dist, next, origin, size: n };
    this.solved.set(key, s);
    return s;
  }

  /** The direct edges of a shortest path between two day boundaries: a span's own cell, or a relation's run of days. */
  private path(key: string, from: number, to: number): ({ span: number } | { start: number; end: number })[] {
    const s = this.solve(key);
    const nodes = this.nodes.get(key) as Int32Array;
    const [a, b] = [nodes[from] as number, nodes[to] as number];
    const out: ({ span: number } | { start: number; end: number })[] = [];
    for (let u = a, guard = 0; u !== b && guard <= s.size; guard++) {
      const v = s.next[u * s.size + b] as number;
      if (v < 0) break;
      const o = s.origin[u * s.size + v] as number;
      if (o >= 0) out.push({ span: o });
      else out.push({ start: Math.floor((-1 - o) / this.boundaries), end: (-1 - o) % this.boundaries });
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
   * Withholds, for every pinned cell, one number that makes it tight (see `victimFor`), all at once, and
   * marks their series to be solved again. Returns how many were withheld (0: nothing is pinned, or
   * nothing more can be withheld).
   */
  protect(): number {
    const victims = new Set<Cell>();
    let loosened = 0;
    for (const p of this.pinned()) {
      const v = this.victimFor(p);
      if (v) victims.add(v);
      else if (this.onStuck?.(p.series, this.givenOnPaths(p))) {
        loosened++;
        this.components.forEach((c, i) => {
          if (c.includes(p.series)) this.dirty.add(i);
        });
      }
    }
    for (const v of victims) {
      // A "<5" opened to ".." may be any count (Cell.anyValue); a shown count withheld is 5 or more.
      if (v.shown === SMALL) v.anyValue = true;
      v.shown = WITHHELD;
    }
    if (victims.size > 0) this.components.forEach((c, i) => {
      if (c.some((k) => (this.series.get(k) ?? []).some((cell) => victims.has(cell)))) this.dirty.add(i);
    });
    return victims.size + loosened;
  }

  /** The spans whose outside bounds are on the shortest paths of a pinned cell. */
  private givenOnPaths(p: { series: string; span: number }): number[] {
    const { start, end } = this.spans[p.span] as Span;
    const out: number[] = [];
    for (const e of [...this.path(p.series, start, end), ...this.path(p.series, end, start)]) {
      if ('span' in e) continue;
      const i = this.spanAt.get(e.start * this.boundaries + e.end);
      if (i !== undefined && this.given(p.series)?.has(i)) out.push(i);
    }
    return out;
  }

  /**
   * The cell to withhold for a pinned one: among the cells on the two shortest paths that give its least
   * and most (for a bound a relation gave, the cells of the related series within those days), the
   * smallest shown non-zero one; else the smallest shown non-zero count of the series overlapping it.
   * Where only hidden counts pin it (a week of `"<5"` over four days of `"<5"`: 4 = 1 + 1 + 1 + 1), a
   * `"<5"` on those paths becomes `".."` (the longest interval's, not the pinned cell's if another will
   * do; never a first-time visitors' count, which the row's own bounds read as at least 5).
   */
  private victimFor(p: { series: string; span: number }): Cell | undefined {
    const { start, end } = this.spans[p.span] as Span;
    const candidates: { c: Cell; series: string; length: number }[] = [];
    const add = (k: string, i: number) => {
      const c = this.series.get(k)?.[i];
      const sp = this.spans[i] as Span;
      if (c && !candidates.some((x) => x.c === c)) candidates.push({ c, series: k, length: sp.end - sp.start });
    };
    for (const e of [...this.path(p.series, start, end), ...this.path(p.series, end, start)]) {
      if ('span' in e) {
        add(p.series, e.span);
        continue;
      }
      for (const k of [p.series, ...this.relatedTo(p.series)])
        this.spans.forEach((sp, i) => {
          if (sp.start >= e.start && sp.end <= e.end) add(k, i);
        });
    }
    const cells = this.series.get(p.series) ?? [];
    const bySize = (a: Cell, b: Cell) => a.value - b.value;
    const shownOnes = candidates
      .map((x) => x.c)
      .filter((c) => !hidden(c) && c.value > 0)
      .sort(bySize);
    const overlapping = cells.filter((c, i) => !hidden(c) && c.value > 0 && (this.spans[i] as Span).start < end && (this.spans[i] as Span).end > start).sort(bySize);
    const shownVictim = shownOnes[0] ?? overlapping[0];
    if (shownVictim) return shownVictim;
    const self = cells[p.span] as Cell;
    const small = candidates.filter((x) => x.c.shown === SMALL && x.c !== self && !this.closed.has(x.series)).sort((a, b) => b.length - a.length);
    return small[0]?.c ?? (self.shown === SMALL && !this.closed.has(p.series) ? self : undefined);
  }

  /** The series that share a relation with a series. */
  private relatedTo(key: string): string[] {
    const out = new Set<string>();
    for (const r of this.relations) if (r.terms.some((t) => t.series === key)) for (const t of r.terms) if (t.series !== key) out.add(t.series);
    return [...out];
  }
}
