import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { replay, sameNumbers } from '../../functions/reporting/rebuild-cli.ts';
import { HUBS, booking, openDay, visit } from '../support/report-events.ts';

describe('npm run reporting:rebuild', () => {
  it('replays an archive (with forwarded duplicates) into a fresh projection that gives the same report', async () => {
    // Prepare: the live projection, and an archive holding every event twice (hub bus and national bus copies).
    const day = openDay(4);
    const events = [
      ...visit({ hubId: 'umea', date: day, from: '09:00', to: '11:00', memberId: 'a', org: 'o1' }),
      ...visit({ hubId: 'umea', date: day, from: '10:00', to: '12:00', memberId: 'b', org: 'o2', type: 'business' }),
      ...booking({ hubId: 'umea', date: day, from: '13:00', to: '14:00', resourceId: 'rum-kajen', resourceType: 'room', memberId: 'a', org: 'o1' }),
    ];
    const live = new MemoryProjection(HUBS);
    for (const e of events) live.apply(e.type, e.detail);
    const file = join(mkdtempSync(join(tmpdir(), 'archive-')), 'samverkan-national-all.jsonl');
    const line = (e: (typeof events)[number], id: string) => JSON.stringify({ version: '0', id, 'detail-type': e.type, source: 'samverkan.hub.umea', account: '0', time: e.detail.metadata.occurredAt, region: 'eu-north-1', resources: [], detail: e.detail });
    writeFileSync(file, `${[...events.map((e, i) => line(e, `a${i}`)), ...events.map((e, i) => line(e, `b${i}`))].join('\n')}\n`);
    // Act
    const rebuilt = new MemoryProjection(HUBS);
    const stats = replay(file, rebuilt);
    // Assess
    expect(stats).toEqual({ events: events.length * 2, applied: events.length, dates: [day] });
    const q = { from: addDays(day, -6), to: day, period: 'week' as const };
    expect(await buildReport(rebuilt, HUBS, q)).toEqual(await buildReport(live, HUBS, q));
    // The CLI's verdict: the live report arrives over HTTP, its keys perhaps in another order (it
    // said "differs" for equal numbers); a changed number differs.
    const report = await buildReport(live, HUBS, q);
    const overHttp = JSON.parse(JSON.stringify(report, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));
    expect(JSON.stringify(overHttp)).not.toBe(JSON.stringify(report));
    expect(sameNumbers(overHttp, await buildReport(rebuilt, HUBS, q))).toBe(true);
    const changed = structuredClone(report);
    changed.network.total.checkIns = Number(changed.network.total.checkIns) + 1;
    expect(sameNumbers(changed, await buildReport(rebuilt, HUBS, q))).toBe(false);
  });
});
