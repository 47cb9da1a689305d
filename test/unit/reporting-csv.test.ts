import { describe, expect, it } from 'vitest';
import { weekdayOf } from '../../functions/domain/time.ts';
import { field, reportCsv } from '../../functions/reporting/csv.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { HUBS, event, hub, openDay, visit } from '../support/report-events.ts';

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
    // Five visitors of 1.5 hours at Boden, one at Umeå.
    for (const id of ['a', 'b', 'c', 'd', 'e']) for (const e of visit({ hubId: 'boden', date: day, from: '09:00', to: '10:30', memberId: id, org: 'o' })) p.apply(e.type, e.detail);
    for (const e of visit({ hubId: 'umea', date: day, from: '09:00', to: '10:30', memberId: 'f', org: 'o' })) p.apply(e.type, e.detail);
    const csv = reportCsv(await buildReport(p, [hub('boden')], { from: day, to: day, period: 'day' }));
    expect(csv.startsWith('\uFEFFHubb / Hub;')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(1 + 4 + 1); // header, boden day + total, network day + total, trailing ''
    const header = lines[0]!.split(';');
    const boden = lines[1]!.split(';');
    expect(boden[header.indexOf('Besökstimmar / Visit hours')]).toBe('7,5');
    expect(boden[header.indexOf('Unika besökare / Unique visitors')]).toBe('5');
    expect(boden.length).toBe(header.length);
    // Beside "<5" unique visitors, the counts that bound them are withheld and visitors by type not given.
    const umea = reportCsv(await buildReport(p, [hub('umea')], { from: day, to: day, period: 'day' })).slice(1).split('\r\n')[1]!.split(';');
    const at = (name: string) => umea[header.indexOf(name)];
    expect([at('Unika besökare / Unique visitors'), at('Besökstimmar / Visit hours'), at('Incheckningar / Check-ins'), at('Organisationer / Organisations'), at('Medlemmar municipality / Members municipality')]).toEqual(['<5', '..', '..', '..', '..']);
  });

  it('gives agency presence one column per organisation, after the fixed columns, with hours per hub and period', async () => {
    // Prepare: Skatteverket at Boden and Umeå three hours every week, Försäkringskassan at Umeå 1.5 hours; a week of report.
    const day = openDay(14);
    const from = addDays(day, -6);
    const presence = (hubId: string, id: string, org: string, fromTime: string, toTime: string) =>
      event('AgencyPresenceScheduled', hubId, { presenceId: id, organisationId: org, organisationType: 'state-agency', hubId, resourceId: 'r', weekday: weekdayOf(day), from: fromTime, to: toTime, firstDate: from, until: day, occurrences: 1 });
    const p = new MemoryProjection(HUBS);
    for (const e of [presence('boden', 'apr1', 'org_skv', '09:00', '12:00'), presence('umea', 'apr2', 'org_skv', '09:00', '12:00'), presence('umea', 'apr3', 'org_fk', '13:00', '14:30')]) p.apply(e.type, e.detail);
    // Act
    const csv = reportCsv(await buildReport(p, [hub('boden'), hub('umea')], { from, to: day, period: 'week' }));
    // Assess
    const [header = [], ...rows] = csv.slice(1).trimEnd().split('\r\n').map((l) => l.split(';'));
    const fk = header.indexOf('Myndighetsnärvaro timmar org_fk / Agency presence hours org_fk');
    const skv = header.indexOf('Myndighetsnärvaro timmar org_skv / Agency presence hours org_skv');
    const total = header.indexOf('Myndighetsnärvaro timmar / Agency presence hours');
    expect([fk, skv]).toEqual([header.length - 2, header.length - 1]);
    const row = (hubId: string) => rows.find((r) => r[0] === hubId && r[2] === 'total')!;
    expect([row('boden')[total], row('boden')[fk], row('boden')[skv]]).toEqual(['3', '0', '3']);
    expect([row('umea')[total], row('umea')[fk], row('umea')[skv]]).toEqual(['4,5', '1,5', '3']);
    expect([row('network')[total], row('network')[fk], row('network')[skv]]).toEqual(['7,5', '1,5', '6']);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
  });

  it('gives new members by organisation type (total rows) and co-presence per pair of organisation types (a column per pair present)', async () => {
    // Prepare: at Boden on one day, a municipality and an agency visitor overlap (five visitors that day); 6 municipality and 7 agency members registered.
    const day = openDay(3);
    const p = new MemoryProjection(HUBS);
    const events = [
      ...visit({ hubId: 'boden', date: day, from: '09:00', to: '11:00', memberId: 'm1', org: 'org_boden', type: 'municipality' }),
      ...visit({ hubId: 'boden', date: day, from: '10:00', to: '12:00', memberId: 'm2', org: 'org_trv', type: 'state-agency' }),
      // More of both later, apart (no new pair): five of each type, so the day's counts and its pairs are shown.
      ...['m3', 'm4', 'm5', 'm6'].flatMap((memberId) => visit({ hubId: 'boden', date: day, from: '13:00', to: '14:00', memberId, org: 'org_trv', type: 'state-agency' })),
      ...['m7', 'm8', 'm9', 'm10'].flatMap((memberId) => visit({ hubId: 'boden', date: day, from: '15:00', to: '16:00', memberId, org: 'org_boden', type: 'municipality' })),
      ...Array.from({ length: 13 }, (_, i) =>
        event('MemberRegistered', 'boden', { memberId: `r${i}`, organisationId: i < 6 ? 'org_boden' : 'org_trv', organisationType: i < 6 ? 'municipality' : 'state-agency', membership: 'member' }, `${day}T10:00:00Z`),
      ),
    ];
    for (const e of events) p.apply(e.type, e.detail);
    // Act
    const csv = reportCsv(await buildReport(p, [hub('boden')], { from: addDays(day, -1), to: day, period: 'day' }));
    // Assess
    const [header = [], ...rows] = csv.slice(1).trimEnd().split('\r\n').map((l) => l.split(';'));
    const col = (name: string) => header.indexOf(name);
    const pair = col('Par municipality×state-agency (par-dagar) / Pairs municipality×state-agency (pair-days)');
    expect(pair).toBe(header.length - 1);
    const row = (period: string) => rows.find((r) => r[0] === 'boden' && r[2] === period) ?? [];
    expect([row(day)[pair], row('total')[pair], row(addDays(day, -1))[pair]]).toEqual(['1', '1', '0']);
    const mun = col('Nya medlemmar municipality / Registrations municipality');
    const agency = col('Nya medlemmar state-agency / Registrations state-agency');
    const business = col('Nya medlemmar business / Registrations business');
    expect([row('total')[mun], row('total')[agency], row('total')[business]]).toEqual(['6', '7', '0']);
    // By type in the total rows only: a period row with registrations says ".." (not given), one without 0.
    expect([row(day)[mun], row(addDays(day, -1))[mun]]).toEqual(['..', '0']);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
  });
});
