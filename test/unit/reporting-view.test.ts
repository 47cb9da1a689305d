import { describe, expect, it } from 'vitest';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays, datesBetween } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { reportHtml } from '../../functions/reporting/view.ts';
import { HUBS, booking, eventRegistration, hubEvent, openDay, todayLocal, visit } from '../support/report-events.ts';

describe('the HTML report', () => {
  it('is one printable page with server-rendered SVG charts and nothing loaded from elsewhere', async () => {
    // Prepare
    const day = openDay(3);
    const p = new MemoryProjection(HUBS);
    for (const e of [
      ...['a', 'a2', 'a3', 'a4', 'a5'].flatMap((memberId) => visit({ hubId: 'lulea', date: day, from: '09:00', to: '12:00', memberId, org: 'kommun', type: 'municipality' })),
      ...['b', 'b2', 'b3', 'b4', 'b5'].flatMap((memberId) => visit({ hubId: 'lulea', date: day, from: '10:00', to: '11:00', memberId, org: 'af', type: 'state-agency' })),
      ...booking({ hubId: 'lulea', date: day, from: '09:00', to: '15:00', resourceId: 'r', resourceType: 'room', memberId: 'a', org: 'kommun' }),
      hubEvent({ hubId: 'lulea', eventId: 'ws', date: day, kind: 'workshop' }),
      ...eventRegistration({ hubId: 'lulea', eventId: 'ws', attended: true }),
    ])
      p.apply(e.type, e.detail);
    const report = await buildReport(p, HUBS, { from: addDays(day, -13), to: day, period: 'week' });
    // Act
    const html = await reportHtml(report);
    // Assess
    // Use over time, sector mix, co-presence matrix, utilisation, events by kind.
    expect(html.match(/class="note empty".*/g)).toBeNull();
    expect(html.match(/<svg/g)?.length).toBe(5);
    expect(html).toMatch(/Evenemang.*Events/);
    expect(html).toMatch(/Närvarograd \/ Attendance rate/);
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('break-before: page');
    expect(html).toMatch(/Samtidig närvaro.*Co-presence/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  }, 120_000);

  it("labels the chart axes in the page's language: Swedish month names and period, not Vega's English", async () => {
    // Prepare: visits every day for four months by ten members (more than five a month: the counts are shown), so the time axis shows month names.
    // Whole months, so that no short month at either end has its visits withheld.
    const to = addDays(`${todayLocal().slice(0, 7)}-01`, -1);
    let from = to;
    for (let m = 0; m < 4; m += 1) from = addDays(`${from.slice(0, 7)}-01`, -1);
    from = addDays(from, 1);
    const p = new MemoryProjection(HUBS);
    for (const [i, date] of datesBetween(from, to).entries()) for (const e of visit({ hubId: 'umea', date, from: '09:00', to: '10:00', memberId: `v${i % 10}`, org: 'kommun', type: 'municipality' })) p.apply(e.type, e.detail);
    const report = await buildReport(p, [HUBS.find((h) => h.id === 'umea')!], { from, to, period: 'month' });
    // Act
    const html = await reportHtml(report);
    // Assess
    const chart = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(chart).toContain('Period: månad / month');
    const labels = [...chart.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const months = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];
    // One tick per month, written as Swedish does ("oktober 2026"), never "okt 28, 2026".
    const monthTicks = labels.filter((l) => new RegExp(`^(${months.join('|')}) \\d{4}$`).test(l ?? ''));
    expect(monthTicks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(monthTicks).size).toBe(monthTicks.length);
    expect(labels.filter((l) => /\d, \d{4}/.test(l ?? ''))).toEqual([]);
    expect(labels.filter((l) => /\b(January|February|March|April|May|June|July|August|September|October|November|December|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/.test(l ?? ''))).toEqual([]);
  }, 120_000);
  it('writes shares as Swedish percent with at most one decimal, never "1,000000%"', async () => {
    // Prepare: a room booked 09:00–15:00 on one day of a week: a share with decimals.
    const day = openDay(3);
    const p = new MemoryProjection(HUBS);
    for (const e of booking({ hubId: 'lulea', date: day, from: '09:00', to: '15:00', resourceId: 'r', resourceType: 'room', memberId: 'a', org: 'kommun' })) p.apply(e.type, e.detail);
    const report = await buildReport(p, HUBS.filter((h) => h.id === 'lulea'), { from: addDays(day, -6), to: day, period: 'week' });
    // Act
    const html = await reportHtml(report);
    // Assess: the utilisation chart's axis and bar labels.
    const section = html.slice(html.indexOf('<h2>Beläggning'), html.indexOf('<h2>Evenemang'));
    const chart = section.slice(section.indexOf('<svg'), section.indexOf('</svg>'));
    const labels = [...chart.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
    const shares = labels.filter((l) => l.includes('%'));
    expect(shares.length).toBeGreaterThan(2);
    for (const l of shares) expect(l).toMatch(/^\d+(,\d)?\u00a0%$/);
    expect(shares).toContain('0\u00a0%');
    expect(shares.some((l) => /,\d\u00a0%$/.test(l))).toBe(true);
    expect(html).not.toMatch(/\d[,.]\d{2,}\s?%/);
  }, 120_000);

  it('shows long hub names and organisation types whole in legends and axes', async () => {
    // Prepare: a hub with a long name, and visitors of the types with the longest labels.
    const day = openDay(3);
    const longName = 'Samverkanshubben Luleå – kommunens och regionens gemensamma kontor';
    const lulea = { ...HUBS.find((h) => h.id === 'lulea')!, name: longName };
    const p = new MemoryProjection(HUBS);
    const types = ['public-company', 'county-board'];
    for (let i = 0; i < 10; i++) for (const e of visit({ hubId: 'lulea', date: day, from: '09:00', to: '12:00', memberId: `m${i}`, org: `o${i % 2}`, type: types[i % 2]! })) p.apply(e.type, e.detail);
    const report = await buildReport(p, [lulea], { from: addDays(day, -6), to: day, period: 'day' });
    // Act
    const html = await reportHtml(report);
    // Assess: no label cut with an ellipsis; the whole names are there.
    const texts = [...html.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
    expect(texts.filter((t) => t.includes('\u2026'))).toEqual([]);
    expect(texts).toContain(longName);
    expect(texts).toContain('Offentligt bolag / Public company');
    expect(texts).toContain('Länsstyrelse / County board');
  }, 120_000);

  it('puts a short note, not an empty chart, where every number is "<5" or there is nothing to draw', async () => {
    // Prepare: five visitors, three from the municipality and two from an agency: every count of people by
    // organisation type is "<5" (the five are shown); no bookings, no events.
    const day = openDay(3);
    const p = new MemoryProjection(HUBS);
    for (const e of [
      ...['a', 'c', 'd'].flatMap((memberId) => visit({ hubId: 'lulea', date: day, from: '09:00', to: '12:00', memberId, org: 'kommun', type: 'municipality' })),
      ...['b', 'e'].flatMap((memberId) => visit({ hubId: 'lulea', date: day, from: '10:00', to: '11:00', memberId, org: 'af', type: 'state-agency' })),
    ])
      p.apply(e.type, e.detail);
    const report = await buildReport(p, HUBS.filter((h) => h.id === 'lulea'), { from: addDays(day, -6), to: day, period: 'week' });
    expect(report.network.total.uniqueVisitors).toBe(5);
    expect(report.network.total.membersByOrgType).toEqual({ municipality: '<5', 'state-agency': '<5' });
    // Act
    const html = await reportHtml(report);
    // Assess: visits drawn; people by type and pairs explained as withheld; utilisation and events as empty.
    const section = (h2: string) => html.slice(html.indexOf(`<h2>${h2}`)).split('</section>')[0] ?? '';
    expect(section('Användning')).toContain('<svg');
    expect(section('Sektorer')).not.toContain('<svg');
    expect(section('Sektorer')).toMatch(/Diagrammet visas inte: alla värden är färre än 5 personer eller undanhållna \(per typ i CSV-filen\).*No chart: every value is below 5 people or withheld \(by type in the CSV file\)/s);
    // Pairs of a type bound that type's people: beside a "<5" of a type they are withheld too.
    expect(section('Samtidig')).not.toContain('<svg');
    expect(section('Samtidig')).toContain('<td>..</td>');
    for (const h2 of ['Beläggning', 'Evenemang']) {
      expect(section(h2)).not.toContain('<svg');
      expect(section(h2)).toMatch(/Inget att visa för perioden.*Nothing to show for the period/s);
    }
    // The tables still give every number.
    expect(section('Sektorer')).toContain('<table>');
  }, 120_000);
});
