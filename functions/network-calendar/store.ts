import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { zonedInstant } from '../domain/time.ts';

/** The network table's index of published hub events by month and start. */
export const NETWORK_CALENDAR_INDEX = 'gsi1';
/** Every hub runs on Swedish time (hubs/schema.ts). */
const TZ = 'Europe/Stockholm';

/** A hub event as the network calendar shows it: public fields only. */
export interface CalendarEntry {
  id: string;
  hubId: string;
  version: number;
  title: string;
  titleEn?: string;
  description?: string;
  descriptionEn?: string;
  kind: 'workshop' | 'training' | 'network-meeting' | 'business-joint' | 'agency-office-hours' | 'other';
  facilitator?: string;
  start: string;
  end: string;
  localDate: string;
  capacity: number;
  resourceId?: string;
  openToNetwork: boolean;
  openToBusiness: boolean;
  status: 'published' | 'cancelled';
  /** When the hub event that wrote this happened (tie-break of equal versions). */
  occurredAt: string;
}

/** Where a page of the calendar ends: the month partition and the index key to go on from. */
/**
 * A page cursor: the month and, within it, DynamoDB's last evaluated key of the calendar index —
 * exactly the four key attributes of an index entry of that month (a forged key of another
 * shape or item would reach DynamoDB as a ValidationException: a 500 instead of a 400).
 */
const Cursor = z
  .object({
    m: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
    k: z.object({ pk: z.string().regex(/^CALEVENT#[a-z][a-z0-9-]{1,29}#[\w-]{1,64}$/), sk: z.literal('CALEVENT'), gsi1pk: z.string(), gsi1sk: z.string().max(200) }).strict().optional(),
  })
  .strict()
  .refine((c) => !c.k || c.k.gsi1pk === `CALMONTH#${c.m}`);
type Cursor = z.infer<typeof Cursor>;

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
/** A cursor from a query string, or undefined when it is not one of ours. */
export function decodeCursor(s: string): Cursor | undefined {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The months (YYYY-MM) from one date to another, inclusive. */
export function months(from: string, to: string): string[] {
  const list: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const end = to.slice(0, 7);
  for (;;) {
    const s = `${y}-${String(m).padStart(2, '0')}`;
    if (s > end) return list;
    list.push(s);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
}

/**
 * The network calendar in the national network table: one item per hub event
 * (`CALEVENT#<hubId>#<eventId>`), replaced only by a higher version, so duplicates and late,
 * out-of-order deliveries change nothing. Published events are in the index by month of their
 * hub-local start date (`CALMONTH#YYYY-MM`) and start instant; a cancelled one leaves it.
 */
export class NetworkCalendarStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Keeps the entry if it is newer than what is stored; false for a duplicate or an older version. */
  async project(e: CalendarEntry): Promise<boolean> {
    const index = e.status === 'published' ? { gsi1pk: `CALMONTH#${e.localDate.slice(0, 7)}`, gsi1sk: `${new Date(e.start).toISOString()}#${e.hubId}#${e.id}` } : {};
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `CALEVENT#${e.hubId}#${e.id}`, sk: 'CALEVENT', entity: 'calendar-event', ...index, ...e },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :v OR (version = :v AND occurredAt < :at)',
          ExpressionAttributeValues: { ':v': e.version, ':at': e.occurredAt },
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /** Published events starting between two hub-local dates, by start, a page at a time. */
  async list(q: { from: string; to: string; hub?: string | undefined; kind?: string | undefined; limit: number; cursor?: Cursor | undefined }): Promise<{ events: CalendarEntry[]; nextCursor?: string }> {
    const fromIso = zonedInstant(q.from, '00:00', TZ).toISOString();
    const toIso = zonedInstant(q.to, '23:59:59', TZ).toISOString();
    const all = months(q.from, q.to);
    let i = q.cursor ? all.indexOf(q.cursor.m) : 0;
    if (i < 0) return { events: [] };
    let startKey: Record<string, unknown> | undefined = q.cursor?.k;
    const events: CalendarEntry[] = [];
    const filters = [...(q.hub ? ['#hub = :hub'] : []), ...(q.kind ? ['#kind = :kind'] : [])];
    for (let month = all[i]; month !== undefined; month = all[i]) {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: NETWORK_CALENDAR_INDEX,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: { ...(q.hub ? { '#hub': 'hubId' } : {}), ...(q.kind ? { '#kind': 'kind' } : {}) } } : {}),
          ExpressionAttributeValues: { ':pk': `CALMONTH#${month}`, ':from': fromIso, ':to': `${toIso}~`, ...(q.hub ? { ':hub': q.hub } : {}), ...(q.kind ? { ':kind': q.kind } : {}) },
          Limit: q.limit - events.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of res.Items ?? []) {
        const { pk: _p, sk: _s, entity: _e, gsi1pk: _a, gsi1sk: _b, ...entry } = item;
        events.push(entry as CalendarEntry);
      }
      startKey = res.LastEvaluatedKey;
      if (!startKey) {
        i++;
        const next = all[i];
        if (events.length >= q.limit) return next !== undefined ? { events, nextCursor: encodeCursor({ m: next }) } : { events };
        continue;
      }
      if (events.length >= q.limit) return { events, nextCursor: encodeCursor({ m: month, k: startKey as NonNullable<Cursor['k']> }) };
    }
    return { events };
  }
}
