import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { ReportStore } from '../../functions/reporting/store.ts';
import type { CfnTemplate } from '../../local/cfn.ts';
import { startNetwork } from '../../local/network.ts';
import { catchUpReports } from '../../local/report-catchup.ts';
import { api, eventually } from '../support/network.ts';
import { freshTable } from '../support/dynamo.ts';
import { HUBS, booking, openDay, visit } from '../support/report-events.ts';

let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let table: string;
const dir = mkdtempSync(join(tmpdir(), 'catchup-'));

beforeAll(async () => {
  ({ client, db, table } = await freshTable('catchup'));
});

afterAll(() => {
  client?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local runtime after a projection version change', () => {
  it('rebuilds the new version from the national archive once, so a kept .data still shows its reports', async () => {
    // Prepare: an archive as the local national bus writes it (one EventBridge event a line), with an event the projection does not consume.
    const day = openDay(5);
    const events = [
      ...visit({ hubId: 'boden', date: day, from: '09:00', to: '12:00', memberId: 'm1', org: 'o1' }),
      ...visit({ hubId: 'lulea', date: addDays(day, -1), from: '10:00', to: '11:00', memberId: 'm2', org: 'o2', type: 'business' }),
      ...booking({ hubId: 'boden', date: day, from: '09:00', to: '11:00', resourceId: 'r', resourceType: 'room', memberId: 'm1', org: 'o1' }),
    ];
    const line = (type: string, detail: unknown) => JSON.stringify({ version: '0', id: randomUUID(), 'detail-type': type, source: 'samverkan.hub.boden', detail });
    const archiveFile = join(dir, 'samverkan-national-all.jsonl');
    writeFileSync(archiveFile, `${[...events.map((e) => line(e.type, e.detail)), line('SomethingElse', { metadata: { eventId: 'x' } })].join('\n')}\n`);
    const version = `t${randomUUID().slice(0, 6)}`;
    const logs: string[] = [];
    // Act
    const first = await catchUpReports({ db, tableName: table, archiveFile, version, log: (m) => logs.push(m) });
    const second = await catchUpReports({ db, tableName: table, archiveFile, version, log: (m) => logs.push(m) });
    // Assess: the consumed events replayed once, the same report as the in-memory projection's; the second start does nothing.
    expect(first).toEqual({ replayed: events.length, applied: events.length });
    expect(second).toBeUndefined();
    const memory = new MemoryProjection(HUBS);
    for (const e of events) memory.apply(e.type, e.detail);
    const q = { from: addDays(day, -1), to: day, period: 'day' as const };
    const report = await buildReport(new ReportStore(db, table, HUBS, version), HUBS, q);
    expect(report.totals.checkIns).toBe(2);
    expect(report).toEqual(await buildReport(memory, HUBS, q));
    expect(logs.join('\n')).toContain(`projection ${version} rebuilt from the archive`);
  }, 60_000);

  it('marks a version that starts with no archive as complete at once', async () => {
    const version = `t${randomUUID().slice(0, 6)}`;
    const archiveFile = join(dir, 'none.jsonl');
    expect(await catchUpReports({ db, tableName: table, archiveFile, version, log: () => {} })).toEqual({ replayed: 0, applied: 0 });
    writeFileSync(archiveFile, `${JSON.stringify({ 'detail-type': 'CheckedIn', source: 'samverkan.hub.boden', detail: {} })}\n`);
    // Written after the marker: those events arrived live, and the archive is not read again.
    expect(await catchUpReports({ db, tableName: table, archiveFile, version, log: () => {} })).toBeUndefined();
  });
});

describe('npm start on a kept .data written by an older projection version', () => {
  it('shows the archived events in the reports without any new traffic', { timeout: 180_000 }, async () => {
    // Prepare: a data directory whose national archive holds three days of visits at Luleå and whose
    // report table holds nothing of the current version (as after the v2 → v3 key change).
    const dataDir = mkdtempSync(join(tmpdir(), 'samverkan-upgrade-'));
    const day = openDay(4);
    const events = [0, 1, 2].flatMap((d) => visit({ hubId: 'lulea', date: addDays(day, -d), from: '09:00', to: '11:00', memberId: `u${d}`, org: 'o1' }));
    mkdirSync(join(dataDir, 'archive'), { recursive: true });
    writeFileSync(join(dataDir, 'archive', 'samverkan-national-all.jsonl'), `${events.map((e) => JSON.stringify({ version: '0', id: randomUUID(), 'detail-type': e.type, source: 'samverkan.hub.lulea', detail: e.detail })).join('\n')}\n`);
    const templates = JSON.parse(readFileSync(inject('templatesFile'), 'utf8')) as Record<string, CfnTemplate>;
    // Act
    const network = await startNetwork({ templates, dataDir, port: 0, logLevel: 'SILENT', log: () => {}, pollMs: 25 });
    try {
      const national = await network.token('national');
      // Assess: the report of the three days counts the three archived check-ins.
      const checkIns = await eventually(async () => {
        const res = await api(network)('GET', `/api/national/reports?from=${addDays(day, -2)}&to=${day}&hub=lulea`, { token: national });
        return res.json?.totals?.checkIns === 3 && res.json.totals.checkIns;
      }, 60_000);
      expect(checkIns).toBe(3);
    } finally {
      await network.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
