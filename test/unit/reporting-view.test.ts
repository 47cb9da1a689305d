import { describe, expect, it } from 'vitest';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { reportHtml } from '../../functions/reporting/view.ts';
import { HUBS, eventRegistration, hubEvent, openDay, visit } from '../support/report-events.ts';

describe('the HTML report', () => {
  it('is one printable page with server-rendered SVG charts and nothing loaded from elsewhere', async () => {
    // Prepare
    const day = openDay(3);
    const p = new MemoryProjection(HUBS);
    for (const e of [
      ...visit({ hubId: 'lulea', date: day, from: '09:00', to: '12:00', memberId: 'a', org: 'kommun', type: 'municipality' }),
      ...visit({ hubId: 'lulea', date: day, from: '10:00', to: '11:00', memberId: 'b', org: 'af', type: 'state-agency' }),
      hubEvent({ hubId: 'lulea', eventId: 'ws', date: day, kind: 'workshop' }),
      ...eventRegistration({ hubId: 'lulea', eventId: 'ws', attended: true }),
    ])
      p.apply(e.type, e.detail);
    const report = await buildReport(p, HUBS, { from: addDays(day, -13), to: day, period: 'week' });
    // Act
    const html = await reportHtml(report);
    // Assess
    // Use over time, sector mix, co-presence matrix, utilisation, events by kind.
    expect(html.match(/<svg/g)?.length).toBe(5);
    expect(html).toMatch(/Evenemang.*Events/);
    expect(html).toMatch(/Närvarograd \/ Attendance rate/);
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('break-before: page');
    expect(html).toMatch(/Samtidig närvaro.*Co-presence/);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  }, 120_000);

  it("labels the chart axes in the page's language: Swedish month names and period, not Vega's English", async () => {
    // Prepare: visits every day for four months (more than five a month: the counts are shown), so the time axis shows month names.
    const day = openDay(3);
    const p = new MemoryProjection(HUBS);
    for (let i = 0; i < 120; i += 1) for (const e of visit({ hubId: 'umea', date: addDays(day, -i), from: '09:00', to: '10:00', memberId: `v${i}`, org: 'kommun', type: 'municipality' })) p.apply(e.type, e.detail);
    const report = await buildReport(p, [HUBS.find((h) => h.id === 'umea')!], { from: addDays(day, -120), to: day, period: 'month' });
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
});
