import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HubConfig } from '../../hubs/schema.ts';
import { cancellationCodes, withConflictRetry } from '../adapters/dynamo-errors.ts';
import { P, factOps, replaceVisitor, type DayFacts, type FactOp, type PresenceFact } from './facts.ts';
import type { FactSource } from './memory.ts';

/** Processed-event markers outlive the national bus archive's retention, so a replay is never counted twice. */
export const PROCESSED_TTL_SECONDS = 400 * 24 * 3600;

/** The projection version the API reads and the consumer writes, unless `REPORT_VERSION` says otherwise. */
export const DEFAULT_VERSION = 'v2';

/** How often a first sighting polls an erasure in progress (about 20 s in all) before its delivery fails and is retried. */
const ERASURE_WAIT_ATTEMPTS = 45;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * The national projection in DynamoDB (the report table). Keys carry a projection version,
 * so a rebuild can replay the archive into a fresh version beside the live one and the
 * API can then be switched (docs/reporting.md):
 *
 * - `<v>#DAY#<hubId>` / `<date>`: the facts of a hub-day, one attribute per fact
 *   (`in:<visitId>`, `out:<visitId>`, `bk:<bookingId>`, `fo:<organisationId>`, …);
 * - `<v>#PRESENCE#<hubId>` / `<presenceId>`: agency presence schedules;
 * - `<v>#HUBEVENT#<hubId>` / `<eventId>`: the facts of a hub event, one attribute per fact
 *   (`ev:<version>`, `ex`, `er:<registrationId>`, `ea:<registrationId>`, …);
 * - `<v>#ORGFIRST#<organisationId>`, `<v>#VFIRST#<hubId>#<visitor>`: first sightings;
 * - `<v>#PERSON#<visitor>`: the hub-days a visitor pseudonym appears in, for erasure;
 * - `<v>#ERASED#<visitor>`: the random token that replaces an erased visitor;
 * - `<v>#PROCESSED#<eventId>`: processed events (TTL).
 *
 * Every write sets a named fact or lowers a first sighting, so duplicates and any order give
 * the same facts; a report reads one item per hub-day.
 */
export class ReportStore implements FactSource {
  private readonly hubs: ReadonlyMap<string, HubConfig>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    hubs: HubConfig[],
    private readonly version = DEFAULT_VERSION,
  ) {
    this.hubs = new Map(hubs.map((h) => [h.id, h]));
  }

  private key(...parts: string[]) {
    return `${this.version}#${parts.join('#')}`;
  }

  /** Applies one event; returns false when its eventId was processed before (its follow-up steps still run, idempotently). */
  async apply(detailType: string, detail: { metadata: { eventId: string } }, now = new Date()): Promise<boolean> {
    const ops = factOps(detailType, detail, this.hubs);
    const first = await this.commit(detail.metadata.eventId, ops, now);
    for (const op of ops) {
      if (op.op === 'orgFirst') await this.lowerFirst(this.key('ORGFIRST', op.orgId), `${op.date}#${op.hubId}`, op.hubId, op.date, `${P.firstOrg}${op.orgId}`);
      if (op.op === 'visitorFirst') await this.lowerVisitorFirst(op.hubId, op.visitor, op.date);
      if (op.op === 'erase') await this.erase(op.visitor);
    }
    return first;
  }

  private async erasedToken(visitor: string): Promise<string | undefined> {
    return (await this.erasure(visitor))?.token;
  }

  /** The erasure of a visitor, if one has started: its token, and whether it is still rewriting facts (`pending`). */
  private async erasure(visitor: string): Promise<{ token: string; pending: boolean } | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.key('ERASED', visitor), sk: 'ERASED' }, ConsistentRead: true }));
    return res.Item ? { token: res.Item.token as string, pending: res.Item.pending === true } : undefined;
  }

  /**
   * Lowers a visitor's first sighting at a hub. Under the pseudonym, the move is conditioned on
   * the visitor not being erased (an erasure that starts meanwhile cancels it, and it is redone
   * under the token); under the token, it waits until the erasure has moved the pseudonym's
   * marker and first-sighting item to the token. So a first-visit marker is only ever moved by
   * one writer at a time, and a visitor ends with exactly one (docs/reporting.md, "Erasure").
   */
  private async lowerVisitorFirst(hubId: string, pseudonymOrToken: string, date: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const erasure = await this.erasure(pseudonymOrToken);
      if (erasure?.pending) {
        if (attempt >= ERASURE_WAIT_ATTEMPTS) throw new Error('An erasure of this visitor is still in progress; the delivery is retried');
        await new Promise((r) => setTimeout(r, 50 * Math.min(attempt + 1, 10)));
        continue;
      }
      const visitor = erasure?.token ?? pseudonymOrToken;
      const guard = erasure ? undefined : this.key('ERASED', pseudonymOrToken);
      if (await this.lowerFirst(this.key('VFIRST', hubId, visitor), date, hubId, date, `${P.firstVisitor}${visitor}`, guard)) return;
      // Erased between the read and the move: nothing was written; redo it under the token.
    }
  }

  /** Writes the event's facts with its processed marker, in one transaction. */
  private async commit(eventId: string, ops: FactOp[], now: Date): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.tableName,
            Item: { pk: this.key('PROCESSED', eventId), sk: 'PROCESSED', processedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + PROCESSED_TTL_SECONDS },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
      for (const op of ops) {
        if (op.op === 'presence') items.push({ Put: { TableName: this.tableName, Item: { pk: this.key('PRESENCE', op.hubId), sk: op.presenceId, ...op.value } } });
        if (op.op === 'event') {
          items.push({
            Update: {
              TableName: this.tableName,
              Key: { pk: this.key('HUBEVENT', op.hubId), sk: op.eventId },
              UpdateExpression: 'SET #f = :f',
              ExpressionAttributeNames: { '#f': op.attr },
              ExpressionAttributeValues: { ':f': op.value },
            },
          });
        }
        if (op.op !== 'set') continue;
        const token = op.visitor ? await this.erasedToken(op.visitor) : undefined;
        const value = token ? { ...(op.value as object), v: token } : op.value;
        items.push({
          Update: {
            TableName: this.tableName,
            Key: { pk: this.key('DAY', op.hubId), sk: op.date },
            UpdateExpression: 'SET #f = :f',
            ExpressionAttributeNames: { '#f': op.attr },
            ExpressionAttributeValues: { ':f': value },
          },
        });
        if (op.visitor && !token) {
          // Guard: an erasure that starts meanwhile makes this transaction fail and retry with the token.
          items.push({ ConditionCheck: { TableName: this.tableName, Key: { pk: this.key('ERASED', op.visitor), sk: 'ERASED' }, ConditionExpression: 'attribute_not_exists(pk)' } });
          items.push({
            Update: { TableName: this.tableName, Key: { pk: this.key('PERSON', op.visitor), sk: 'PERSON' }, UpdateExpression: 'ADD #d :d', ExpressionAttributeNames: { '#d': 'days' }, ExpressionAttributeValues: { ':d': new Set([`${op.hubId}#${op.date}`]) } },
          });
        }
      }
      try {
        await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
        return true;
      } catch (err) {
        const codes = cancellationCodes(err);
        if (codes?.[0] === 'ConditionalCheckFailed') return false;
        if (codes?.includes('ConditionalCheckFailed') && attempt < 5) continue; // erased meanwhile: retry with the token
        throw err;
      }
    }
  }

  /**
   * Lowers a first sighting to `(hubId, date)` when it is earlier than the one stored, moving
   * its marker fact from the old hub-day to the new one in the same transaction. With `absent`,
   * the move also requires that item not to exist (the erasure marker of a visitor); returns
   * false, having written nothing, when it does.
   */
  private async lowerFirst(pk: string, order: string, hubId: string, date: string, marker: string, absent?: string): Promise<boolean> {
    for (;;) {
      const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: 'FIRST' }, ConsistentRead: true }));
      const prev = res.Item as { order: string; hubId: string; date: string } | undefined;
      if (prev && prev.order <= order) return true;
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.tableName,
            Item: { pk, sk: 'FIRST', order, hubId, date },
            ConditionExpression: prev ? '#o = :prev' : 'attribute_not_exists(pk)',
            ...(prev ? { ExpressionAttributeNames: { '#o': 'order' }, ExpressionAttributeValues: { ':prev': prev.order } } : {}),
          },
        },
        { Update: { TableName: this.tableName, Key: { pk: this.key('DAY', hubId), sk: date }, UpdateExpression: 'SET #m = :t', ExpressionAttributeNames: { '#m': marker }, ExpressionAttributeValues: { ':t': true } } },
      ];
      if (prev) items.push({ Update: { TableName: this.tableName, Key: { pk: this.key('DAY', prev.hubId), sk: prev.date }, UpdateExpression: 'REMOVE #m', ExpressionAttributeNames: { '#m': marker } } });
      if (absent) items.push({ ConditionCheck: { TableName: this.tableName, Key: { pk: absent, sk: 'ERASED' }, ConditionExpression: 'attribute_not_exists(pk)' } });
      try {
        await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
        return true;
      } catch (err) {
        const codes = cancellationCodes(err);
        if (absent && codes?.[items.length - 1] === 'ConditionalCheckFailed') return false; // erased meanwhile
        if (codes?.includes('ConditionalCheckFailed')) continue; // moved meanwhile: read again
        throw err;
      }
    }
  }

  /**
   * Forgets a visitor: a random token replaces the pseudonym in every fact and first sighting; counts stay.
   * The erasure marker is `pending` until the rewrite is complete: first sightings under the token wait
   * for it (lowerVisitorFirst), and a redelivered `MemberErased` finishes an interrupted rewrite.
   */
  private async erase(visitor: string): Promise<void> {
    const candidate = `x${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: this.key('ERASED', visitor), sk: 'ERASED', token: candidate, pending: true }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
    const token = await this.erasedToken(visitor);
    if (!token) throw new Error('The erasure token was written but cannot be read back');
    const person = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.key('PERSON', visitor), sk: 'PERSON' }, ConsistentRead: true }));
    const days = [...((person.Item?.days as Set<string> | undefined) ?? [])];
    for (const hd of days) {
      const [hubId = '', date = ''] = hd.split('#');
      await this.rewriteDay(hubId, date, visitor, token);
    }
    for (const hubId of new Set(days.map((d) => d.split('#')[0] ?? ''))) {
      const old = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.key('VFIRST', hubId, visitor), sk: 'FIRST' }, ConsistentRead: true }));
      if (!old.Item) continue;
      try {
        // Only the first copy counts: once the erasure is complete, the token's first sighting may be lowered, and a late duplicate erasure must not undo that.
        await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...old.Item, pk: this.key('VFIRST', hubId, token) }, ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      }
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: this.key('VFIRST', hubId, visitor), sk: 'FIRST' } }));
    }
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: this.key('PERSON', visitor), sk: 'PERSON' } }));
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: this.key('ERASED', visitor), sk: 'ERASED' }, UpdateExpression: 'REMOVE pending' }));
  }

  /** Replaces a visitor by their token in one hub-day; the first-visit marker moves only if it is still there when written. */
  private async rewriteDay(hubId: string, date: string, visitor: string, token: string): Promise<void> {
    for (;;) {
      const item = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.key('DAY', hubId), sk: date }, ConsistentRead: true }));
      const changed = replaceVisitor(item.Item ?? {}, visitor, token);
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets = Object.entries(changed).map(([attr, value], i) => {
        names[`#a${i}`] = attr;
        values[`:a${i}`] = value;
        return `#a${i} = :a${i}`;
      });
      const marker = Boolean(item.Item?.[`${P.firstVisitor}${visitor}`]);
      if (marker) {
        names['#fo'] = `${P.firstVisitor}${visitor}`;
        names['#fn'] = `${P.firstVisitor}${token}`;
        values[':t'] = true;
        sets.push('#fn = :t');
      }
      if (sets.length === 0) return;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: this.key('DAY', hubId), sk: date },
            UpdateExpression: `SET ${sets.join(', ')}${marker ? ' REMOVE #fo' : ''}`,
            ...(marker ? { ConditionExpression: 'attribute_exists(#fo)' } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return;
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err; // another erasure moved it meanwhile: read again
      }
    }
  }

  /** The facts of a hub's days between two dates (inclusive): one item per hub-day. */
  async hubDays(hubId: string, from: string, to: string): Promise<Map<string, DayFacts>> {
    const out = new Map<string, DayFacts>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': this.key('DAY', hubId), ':from': from, ':to': to },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const { pk: _pk, sk, ...facts } of res.Items ?? []) out.set(String(sk), facts);
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** The facts of a hub's events: one item per event (a hub holds a few a week), read in one query. */
  async hubEvents(hubId: string): Promise<Map<string, DayFacts>> {
    const out = new Map<string, DayFacts>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': this.key('HUBEVENT', hubId) }, ExclusiveStartKey: startKey }));
      for (const { pk: _pk, sk, ...facts } of res.Items ?? []) out.set(String(sk), facts);
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** The agency presence schedules of a hub. */
  async presences(hubId: string): Promise<PresenceFact[]> {
    const res = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': this.key('PRESENCE', hubId) } }));
    return (res.Items ?? []).map(({ pk: _pk, sk: _sk, ...p }) => p as PresenceFact).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
}
