import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One event waiting to be delivered to one rule target. */
export interface PendingDelivery<E = unknown> {
  /** Unique within the target (the event's id). */
  key: string;
  /** The rule's name and the target's id, as the bus knows them. */
  rule: string;
  target: string;
  /** When the bus accepted the event (ms since the epoch): the start of MaximumEventAgeInSeconds. */
  enqueuedAt: number;
  event: E;
}

/**
 * Where the bus keeps the deliveries it has accepted and not yet finished. `enqueue` must make
 * them durable before it returns (the bus acknowledges PutEvents only afterwards); `ack` drops a
 * delivery once its target succeeded or it was dead-lettered; `pending` lists what an earlier
 * run left unfinished.
 */
export interface DeliveryStore {
  enqueue(deliveries: PendingDelivery[]): void;
  ack(delivery: PendingDelivery): void;
  pending(): PendingDelivery[];
}

/** Deliveries only in memory (`--in-memory` and tests): a crash loses them. */
export const memoryDeliveries = (): DeliveryStore => ({ enqueue() {}, ack() {}, pending: () => [] });

interface Journal {
  file: string;
  /** Enqueue lines of the pending deliveries, by key. */
  pending: Map<string, string>;
  /** Lines in the file (pending, acknowledged and their acks). */
  lines: number;
}

/** Compact a journal when it holds this many lines and at most a quarter of them are pending. */
const COMPACT_AT = 1_000;

/**
 * Durable delivery queues: one append-only journal per rule target, `<dir>/<rule>~<target>.jsonl`.
 * An enqueue appends one JSON line per delivery and fsyncs before returning; an ack appends
 * `{"ack":key}` (no fsync: a lost ack means a redelivery, never a loss). On start every journal is
 * read (a torn last line, from a crash mid-write, is ignored: its put was never acknowledged) and
 * rewritten with only its pending deliveries (temporary file, fsync, rename); a journal is
 * compacted the same way while running once it has grown and is mostly acknowledged.
 */
export function fileDeliveries(dir: string, log: (message: string) => void = () => {}): DeliveryStore {
  mkdirSync(dir, { recursive: true });
  const journals = new Map<string, Journal>();
  const left: PendingDelivery[] = [];

  const fileOf = (rule: string, target: string) => join(dir, `${encodeURIComponent(rule)}~${encodeURIComponent(target)}.jsonl`);

  const syncDir = () => {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };

  const append = (file: string, text: string, sync: boolean) => {
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, text);
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };

  const compact = (j: Journal) => {
    const tmp = `${j.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      const text = [...j.pending.values()].join('');
      if (text) writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, j.file);
    syncDir();
    j.lines = j.pending.size;
  };

  const journal = (rule: string, target: string): Journal => {
    const file = fileOf(rule, target);
    let j = journals.get(file);
    if (!j) {
      j = { file, pending: new Map(), lines: 0 };
      journals.set(file, j);
    }
    return j;
  };

  // Recover what an earlier run left.
  // A compaction that did not finish: the journal itself is intact.
  for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) unlinkSync(join(dir, name));
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.jsonl')) continue;
    const file = join(dir, name);
    const j: Journal = { file, pending: new Map(), lines: 0 };
    const entries = new Map<string, PendingDelivery>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      let rec: { ack?: string } & Partial<PendingDelivery>;
      try {
        rec = JSON.parse(line);
      } catch {
        log(`delivery journal ${name}: skipping a torn line`);
        continue;
      }
      if (typeof rec.ack === 'string') {
        j.pending.delete(rec.ack);
        entries.delete(rec.ack);
      } else if (typeof rec.key === 'string') {
        j.pending.set(rec.key, `${line}\n`);
        entries.set(rec.key, rec as PendingDelivery);
      }
    }
    journals.set(file, j);
    compact(j);
    left.push(...entries.values());
  }

  return {
    enqueue(deliveries) {
      const byJournal = new Map<Journal, Array<[string, string]>>();
      for (const d of deliveries) {
        const j = journal(d.rule, d.target);
        byJournal.set(j, [...(byJournal.get(j) ?? []), [d.key, `${JSON.stringify(d)}\n`]]);
      }
      for (const [j, lines] of byJournal) {
        const created = !existsSync(j.file);
        append(j.file, lines.map(([, line]) => line).join(''), true);
        if (created) syncDir();
        for (const [key, line] of lines) j.pending.set(key, line);
        j.lines += lines.length;
      }
    },
    ack(d) {
      const j = journal(d.rule, d.target);
      if (!j.pending.delete(d.key)) return;
      append(j.file, `${JSON.stringify({ ack: d.key })}\n`, false);
      j.lines++;
      if (j.lines >= COMPACT_AT && j.pending.size * 4 <= j.lines) compact(j);
    },
    pending: () => left.splice(0),
  };
}
