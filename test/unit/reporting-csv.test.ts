import { describe, expect, it } from 'vitest';
import { field, reportCsv } from '../../functions/reporting/csv.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { HUBS, hub, openDay, visit } from '../support/report-events.ts';

describe('the CSV report', () => {
  it('quotes fields per RFC 4180 only where needed', () => {
    expect(field('Umeå')).toBe('Umeå');
    expect(field('a;b')).toBe('"a;b"');
    expect(field('säger "hej"')).toBe('"säger ""hej"""');
    expect(field('två\r\nrader')).toBe('"två\r\nrader"');
  });

  it('writes decimal commas, semicolons, CRLF and a BOM, one row per hub and period and the network', async () => {
    const day = openDay(2);
    const p = new MemoryProjection(HUBS);
    for (const e of visit({ hubId: 'boden', date: day, from: '09:00', to: '10:30', memberId: 'a', org: 'o' })) p.apply(e.type, e.detail);
    const csv = reportCsv(await buildReport(p, [hub('boden')], { from: day, to: day, period: 'day' }));
    expect(csv.startsWith('\uFEFFHubb / Hub;')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(1 + 4 + 1); // header, boden day + total, network day + total, trailing ''
    const header = lines[0]!.split(';');
    const boden = lines[1]!.split(';');
    expect(boden[header.indexOf('Besökstimmar / Visit hours')]).toBe('1,5');
    expect(boden[header.indexOf('Unika besökare / Unique visitors')]).toBe('<5');
    expect(boden.length).toBe(header.length);
  });
});
