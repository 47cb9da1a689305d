import { existsSync, readFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CONSUMED } from '../functions/reporting/facts.ts';
import { DEFAULT_VERSION, ReportStore } from '../functions/reporting/store.ts';
import { loadAllHubs } from '../functions/shared/hub-config.ts';

/** The national bus archive the local runtime keeps (`.data/archive/<name>.jsonl`). */
export const NATIONAL_ARCHIVE = 'samverkan-national-all';

/**
 * Brings the report table's current projection version up to date with the national archive,
 * once per version: a `.data/` written by an older version (its keys `v2#…`) otherwise shows
 * empty reports after an upgrade, because the API reads only the current version. The events are
 * replayed through the store's own batch path (`applyAll`), idempotent on eventId, so the live
 * consumer may deliver the same events meanwhile; a marker item `<v>#ARCHIVE` / `REPLAYED` records
 * that the version holds the archive. A data directory whose archive is empty gets the marker at
 * once (everything after it arrives live). Stops between batches when `stopped()` says so.
 */
export async function catchUpReports(o: { db: DynamoDBDocumentClient; tableName: string; archiveFile: string; version?: string; log: (m: string) => void; stopped?: () => boolean }): Promise<{ replayed: number; applied: number } | undefined> {
  const version = o.version ?? DEFAULT_VERSION;
  const marker = { pk: `${version}#ARCHIVE`, sk: 'REPLAYED' };
  if ((await o.db.send(new GetCommand({ TableName: o.tableName, Key: marker, ConsistentRead: true }))).Item) return undefined;
  const consumed = new Set<string>(CONSUMED);
  const events = existsSync(o.archiveFile)
    ? readFileSync(o.archiveFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { 'detail-type': string; source: string; detail: { metadata: { eventId: string } } })
        .filter((e) => e.source.startsWith('samverkan.hub.') && consumed.has(e['detail-type']))
    : [];
  const store = new ReportStore(o.db, o.tableName, loadAllHubs(), version);
  if (events.length) o.log(`reports: projection ${version} is new in this data directory; replaying ${events.length} archived events into it`);
  let applied = 0;
  for (let i = 0; i < events.length; i += 100) {
    if (o.stopped?.()) return undefined;
    applied += await store.applyAll(events.slice(i, i + 100).map((e) => ({ detailType: e['detail-type'], detail: e.detail })));
    if (i % 5000 === 0 && i > 0) o.log(`reports: ${i} of ${events.length} archived events replayed`);
  }
  await o.db.send(new PutCommand({ TableName: o.tableName, Item: { ...marker, events: events.length, at: new Date().toISOString() } }));
  if (events.length) o.log(`reports: projection ${version} rebuilt from the archive (${applied} events new to it)`);
  return { replayed: events.length, applied };
}
