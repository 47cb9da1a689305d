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
});
