import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileDeliveries, type PendingDelivery } from '../../local/delivery-queue.ts';

const delivery = (key: string, target = 'Target0'): PendingDelivery => ({ key, rule: 'samverkan-national/Rule', target, enqueuedAt: 1_000, event: { id: key, detail: { n: key } } });
const lines = (dir: string) =>
  readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter(Boolean);

describe('durable delivery queues', () => {
  it('hands back after a restart exactly what was enqueued and not acknowledged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deliveries-'));
    const store = fileDeliveries(dir);
    expect(store.pending()).toEqual([]);
    store.enqueue([delivery('a'), delivery('b'), delivery('c', 'Target1')]);
    store.ack(delivery('a'));
    store.ack(delivery('a')); // twice: no harm

    const again = fileDeliveries(dir);
    expect(again.pending().sort((x, y) => x.key.localeCompare(y.key))).toEqual([delivery('b'), delivery('c', 'Target1')]);
    expect(lines(dir)).toHaveLength(2); // compacted on start
    expect(readdirSync(dir)).toHaveLength(2); // one journal per rule target
  });

  it('ignores a line torn by a crash mid-write, and a compaction that did not finish', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deliveries-'));
    fileDeliveries(dir).enqueue([delivery('a')]);
    const [journal] = readdirSync(dir);
    appendFileSync(join(dir, journal!), '{"key":"b","rule":"samverkan-nat');
    writeFileSync(join(dir, `${journal}.tmp`), 'half a compaction');

    const store = fileDeliveries(dir);
    expect(store.pending()).toEqual([delivery('a')]);
    expect(readdirSync(dir)).toEqual([journal]);
    store.enqueue([delivery('c')]); // appends after the repaired journal, not onto the torn line
    expect(fileDeliveries(dir).pending().map((d) => d.key).sort()).toEqual(['a', 'c']);
  });

  it('compacts a journal that is mostly acknowledged while running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deliveries-'));
    const store = fileDeliveries(dir);
    for (let i = 0; i < 600; i++) {
      store.enqueue([delivery(`e${i}`)]);
      if (i >= 10) store.ack(delivery(`e${i}`));
    }
    expect(lines(dir).length).toBeLessThan(1_000);
    expect(fileDeliveries(dir).pending()).toHaveLength(10);
  });
});
