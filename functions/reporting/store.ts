import { randomUUID } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HubConfig } from '../../hubs/schema.ts';
import { cancellationCodes, withConflictRetry } from '../adapters/dynamo-errors.ts';
import { P, factOps, replaceVisitor, shardOf, type DayFacts, type FactOp, type PresenceFact } from './facts.ts';
import type { FactSource } from './memory.ts';

/** Processed-event markers outlive the national bus archive's retention, so a replay is never counted twice. */
export const PROCESSED_TTL_SECONDS = 400 * 24 * 3600;

/** The projection version the API reads and the consumer writes, unless `REPORT_VERSION` says otherwise. */
export const DEFAULT_VERSION = 'v3';

/** How often a first sighting polls an erasure in progress (about 20 s in all) before its delivery fails and is retried. */
const ERASURE_WAIT_ATTEMPTS = 45;

/** An event's fact operations, waiting to be committed. */
interface Pending {
  eventId: string;
  ops: FactOp[];
  /** The same eventId came earlier in the batch: only its follow-up steps run. */
  duplicate?: boolean;
}

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * The national projection in DynamoDB (the report table). Keys carry a projection version,
 * so a rebuild can replay the archive into a fresh version beside the live one and the
 * API can then be switched (docs/reporting.md):
 *
 * - `<v>#DAY#<hubId>` / `<date>#<shard>`: the facts of a hub-day, one attribute per fact
 *   (`in:<visitId>`, `out:<visitId>`, `bk:<bookingId>`, `fo:<organisationId>`, …), spread over
 *   up to `SHARDS` items by a hash of the attribute name (`shardOf`), so a busy day is never
 *   one item over DynamoDB's 400 KB; only shards that receive a fact exist;
 * - `<v>#PRESENCE#<hubId>` / `<presenceId>`: agency presence schedules;
 * - `<v>#HUBEVENT#<hubId>` / `<eventId>`: the facts of a hub event, one attribute per fact
 *   (`ev:<version>`, `ex`, `er:<registrationId>`, `ea:<registrationId>`, …);
 * - `<v>#ORGFIRST#<organisationId>`, `<v>#VFIRST#<hubId>#<visitor>`: first sightings;
 * - `<v>#PERSON#<visitor>`: the hub-day items (`<hubId>#<date>#<shard>`) a visitor pseudonym appears in, for erasure;
 * - `<v>#ERASED#<visitor>`: the random token that replaces an erased visitor;
 * - `<v>#PROCESSED#<eventId>`: processed events (TTL).
 *
 * Every write sets a named fact or lowers a first sighting, so duplicates and any order give
 * the same facts; a report reads one Query per hub over the range, at most `SHARDS` items per hub-day.
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

  /** The key of the hub-day item that holds a fact (or first-sighting marker). */
  private dayItem(hubId: string, date: string, attr: string) {
    return { pk: this.key('DAY', hubId), sk: `${date}#${shardOf(attr)}` };
  }

  /** Applies one event; returns false when its eventId was processed before (its follow-up steps still run, idempotently). */
  async apply(detailType: string, detail: { metadata: { eventId: string } }, now = new Date()): Promise<boolean> {
    return (await this.applyAll([{ detailType, detail }], now)) === 1;
  }

  /**
   * Applies events with the same result as applying each (in any order), in few requests: one
   * consistent BatchGet of the erasures and first sightings they name, then one transaction per
   * chunk of events (their facts merged per item, with each event's processed marker), then the
   * first sightings that are really lower and the erasures. A chunk holding an event processed
   * before, or a visitor erased meanwhile, is committed again event by event. Returns how many
   * events were new. Used for every delivery (`apply`) and for replays of the archive.
   */
  async applyAll(events: ReadonlyArray<{ detailType: string; detail: { metadata: { eventId: string } } }>, now = new Date()): Promise<number> {
    const seen = new Set<string>();
    const pending: Pending[] = [];
    for (const e of events) {
      const ops = factOps(e.detailType, e.detail, this.hubs);
      if (seen.has(e.detail.metadata.eventId)) {
        pending.push({ eventId: e.detail.metadata.eventId, ops, duplicate: true });
        continue;
      }
      seen.add(e.detail.metadata.eventId);
      pending.push({ eventId: e.detail.metadata.eventId, ops });
    }
    const allOps = pending.flatMap((p) => p.ops);
    const known = await this.preread(allOps);
    let applied = 0;
    for (const chunk of this.chunks(pending.filter((p) => !p.duplicate), known.tokens)) applied += await this.commitChunk(chunk, known.tokens, now);
    const orgs = new Map<string, Extract<FactOp, { op: 'orgFirst' }>>();
    const visitors = new Map<string, Extract<FactOp, { op: 'visitorFirst' }>>();
    // The batch's earliest sighting of each organisation (network-wide) and of each visitor at a hub.
    const orderOf = (op: { date: string; hubId: string }) => `${op.date}#${op.hubId}`;
    for (const op of allOps) {
      if (op.op === 'orgFirst') {
        const prev = orgs.get(op.orgId);
        if (!prev || orderOf(op) < orderOf(prev)) orgs.set(op.orgId, op);
      }
      if (op.op === 'visitorFirst') {
        const prev = visitors.get(`${op.hubId}#${op.visitor}`);
        if (!prev || op.date < prev.date) visitors.set(`${op.hubId}#${op.visitor}`, op);
      }
    }
    for (const op of orgs.values()) {
      const order = orderOf(op);
      const pk = this.key('ORGFIRST', op.orgId);
      if ((known.firsts.get(pk) ?? '~') <= order) continue; // a minimum only falls: nothing to lower
      await this.lowerFirst(pk, order, op.hubId, op.date, `${P.firstOrg}${op.orgId}`);
    }
    for (const op of visitors.values()) {
      if (!known.tokens.has(op.visitor) && (known.firsts.get(this.key('VFIRST', op.hubId, op.visitor)) ?? '~') <= op.date) continue;
      await this.lowerVisitorFirst(op.hubId, op.visitor, op.date);
    }
    for (const visitor of new Set(allOps.flatMap((op) => (op.op === 'erase' ? [op.visitor] : [])))) await this.erase(visitor);
    return applied;
  }

  /** Reads, consistently and in batches of 100 keys, the erasure tokens and first sightings the operations name. */
  private async preread(ops: FactOp[]): Promise<{ tokens: Map<string, string>; firsts: Map<string, string> }> {
    const keys = new Map<string, { pk: string; sk: string }>();
    const add = (pk: string, sk: string) => keys.set(pk, { pk, sk });
    for (const op of ops) {
      if (op.op === 'set' && op.visitor) add(this.key('ERASED', op.visitor), 'ERASED');
      if (op.op === 'visitorFirst') {
        add(this.key('ERASED', op.visitor), 'ERASED');
        add(this.key('VFIRST', op.hubId, op.visitor), 'FIRST');
      }
      if (op.op === 'orgFirst') add(this.key('ORGFIRST', op.orgId), 'FIRST');
    }
    const tokens = new Map<string, string>();
    const firsts = new Map<string, string>();
    const erasedPrefix = this.key('ERASED', '');
    const all = [...keys.values()];
    for (let i = 0; i < all.length; i += 100) {
      let request: Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }> | undefined = { [this.tableName]: { Keys: all.slice(i, i + 100), ConsistentRead: true } };
      while (request && Object.keys(request).length) {
        const res = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const pk = String(item.pk);
          if (pk.startsWith(erasedPrefix)) tokens.set(pk.slice(erasedPrefix.length), String(item.token));
          else firsts.set(pk, String(item.order));
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return { tokens, firsts };
  }

  /** The items a transaction of these events writes: at most 100 (DynamoDB's limit), each event's writes in one chunk. */
  private *chunks(pending: Pending[], tokens: ReadonlyMap<string, string>): Generator<Pending[]> {
    let chunk: Pending[] = [];
    let items = new Set<string>();
    for (const p of pending) {
      const own = new Set<string>([`PROCESSED#${p.eventId}`]);
      for (const op of p.ops) {
        if (op.op === 'set') {
          const { sk } = this.dayItem(op.hubId, op.date, op.attr);
          own.add(`DAY#${op.hubId}#${sk}`);
          if (op.visitor && !tokens.has(op.visitor)) own.add(`ERASED#${op.visitor}`).add(`PERSON#${op.visitor}`);
        }
        if (op.op === 'presence') own.add(`PRESENCE#${op.hubId}#${op.presenceId}`);
        if (op.op === 'event') own.add(`HUBEVENT#${op.hubId}#${op.eventId}`);
      }
      const merged = new Set([...items, ...own]);
      if (chunk.length > 0 && (merged.size > 100 || chunk.length >= 50)) {
        yield chunk;
        chunk = [];
        items = own;
      } else items = merged;
      chunk.push(p);
    }
    if (chunk.length) yield chunk;
  }

  /** Commits a chunk of events in one transaction; when one was processed before or a visitor was erased meanwhile, commits each alone. */
  private async commitChunk(chunk: Pending[], tokens: ReadonlyMap<string, string>, now: Date): Promise<number> {
    const puts: TransactItem[] = [];
    const updates = new Map<string, { Key: { pk: string; sk: string }; sets: Map<string, unknown> }>();
    const person = new Map<string, Set<string>>();
    const presence = new Map<string, Record<string, unknown>>();
    const update = (pk: string, sk: string, attr: string, value: unknown) => {
      const u = updates.get(`${pk}\u0000${sk}`) ?? { Key: { pk, sk }, sets: new Map<string, unknown>() };
      u.sets.set(attr, value);
      updates.set(`${pk}\u0000${sk}`, u);
    };
    for (const p of chunk) {
      puts.push({ Put: { TableName: this.tableName, Item: this.processedItem(p.eventId, now), ConditionExpression: 'attribute_not_exists(pk)' } });
      for (const op of p.ops) {
        if (op.op === 'presence') presence.set(`${op.hubId}#${op.presenceId}`, { pk: this.key('PRESENCE', op.hubId), sk: op.presenceId, ...op.value });
        if (op.op === 'event') update(this.key('HUBEVENT', op.hubId), op.eventId, op.attr, op.value);
        if (op.op !== 'set') continue;
        const token = op.visitor ? tokens.get(op.visitor) : undefined;
        const { pk, sk } = this.dayItem(op.hubId, op.date, op.attr);
        update(pk, sk, op.attr, token ? { ...(op.value as object), v: token } : op.value);
        if (op.visitor && !token) person.set(op.visitor, (person.get(op.visitor) ?? new Set()).add(`${op.hubId}#${op.date}#${shardOf(op.attr)}`));
      }
    }
    const items: TransactItem[] = [...puts, ...[...presence.values()].map((Item): TransactItem => ({ Put: { TableName: this.tableName, Item } }))];
    for (const { Key, sets } of updates.values()) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const expr = [...sets].map(([attr, value], i) => {
        names[`#f${i}`] = attr;
        values[`:f${i}`] = value;
        return `#f${i} = :f${i}`;
      });
      items.push({ Update: { TableName: this.tableName, Key, UpdateExpression: `SET ${expr.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } });
    }
    for (const [visitor, days] of person) {
      // Guard: an erasure that starts meanwhile makes this transaction fail, and each event is committed again with the token.
      items.push({ ConditionCheck: { TableName: this.tableName, Key: { pk: this.key('ERASED', visitor), sk: 'ERASED' }, ConditionExpression: 'attribute_not_exists(pk)' } });
      items.push({ Update: { TableName: this.tableName, Key: { pk: this.key('PERSON', visitor), sk: 'PERSON' }, UpdateExpression: 'ADD #d :d', ExpressionAttributeNames: { '#d': 'days' }, ExpressionAttributeValues: { ':d': days } } });
    }
    try {
      await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
      return chunk.length;
    } catch (err) {
      if (!cancellationCodes(err)?.includes('ConditionalCheckFailed')) throw err;
    }
    let applied = 0;
    for (const p of chunk) if (await this.commit(p.eventId, p.ops, now)) applied++;
    return applied;
  }

  private processedItem(eventId: string, now: Date) {
    return { pk: this.key('PROCESSED', eventId), sk: 'PROCESSED', processedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + PROCESSED_TTL_SECONDS };
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
            Item: this.processedItem(eventId, now),
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
            Key: this.dayItem(op.hubId, op.date, op.attr),
            UpdateExpression: 'SET #f = :f',
            ExpressionAttributeNames: { '#f': op.attr },
            ExpressionAttributeValues: { ':f': value },
          },
        });
        if (op.visitor && !token) {
          // Guard: an erasure that starts meanwhile makes this transaction fail and retry with the token.
          items.push({ ConditionCheck: { TableName: this.tableName, Key: { pk: this.key('ERASED', op.visitor), sk: 'ERASED' }, ConditionExpression: 'attribute_not_exists(pk)' } });
          items.push({
            Update: { TableName: this.tableName, Key: { pk: this.key('PERSON', op.visitor), sk: 'PERSON' }, UpdateExpression: 'ADD #d :d', ExpressionAttributeNames: { '#d': 'days' }, ExpressionAttributeValues: { ':d': new Set([`${op.hubId}#${op.date}#${shardOf(op.attr)}`]) } },
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
        { Update: { TableName: this.tableName, Key: this.dayItem(hubId, date, marker), UpdateExpression: 'SET #m = :t', ExpressionAttributeNames: { '#m': marker }, ExpressionAttributeValues: { ':t': true } } },
      ];
      if (prev) items.push({ Update: { TableName: this.tableName, Key: this.dayItem(prev.hubId, prev.date, marker), UpdateExpression: 'REMOVE #m', ExpressionAttributeNames: { '#m': marker } } });
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
    const items = [...((person.Item?.days as Set<string> | undefined) ?? [])];
    for (const entry of items) {
      const [hubId = '', date = '', shard = ''] = entry.split('#');
      await this.rewriteItem(hubId, `${date}#${shard}`, visitor, token);
    }
    for (const hubId of new Set(items.map((d) => d.split('#')[0] ?? ''))) {
      const old = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.key('VFIRST', hubId, visitor), sk: 'FIRST' }, ConsistentRead: true }));
      if (!old.Item) continue;
      await this.moveMarker(hubId, String(old.Item.date), visitor, token);
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

  /** Replaces a visitor by their token in the facts of one hub-day item (a visit's facts never change shard). */
  private async rewriteItem(hubId: string, sk: string, visitor: string, token: string): Promise<void> {
    const item = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.key('DAY', hubId), sk }, ConsistentRead: true }));
    const changed = replaceVisitor(item.Item ?? {}, visitor, token);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(changed).map(([attr, value], i) => {
      names[`#a${i}`] = attr;
      values[`:a${i}`] = value;
      return `#a${i} = :a${i}`;
    });
    if (sets.length === 0) return;
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: this.key('DAY', hubId), sk }, UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values }));
  }

  /**
   * Moves a visitor's first-visit marker on a hub-day to their token: from the pseudonym's shard
   * to the token's, in one transaction, and only if it is still there (a late duplicate erasure
   * finds it gone and changes nothing).
   */
  private async moveMarker(hubId: string, date: string, visitor: string, token: string): Promise<void> {
    const [from, to] = [`${P.firstVisitor}${visitor}`, `${P.firstVisitor}${token}`];
    const [source, target] = [this.dayItem(hubId, date, from), this.dayItem(hubId, date, to)];
    if (source.sk === target.sk) {
      // One item: a transaction may not name it twice.
      try {
        await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: source, UpdateExpression: 'SET #n = :t REMOVE #m', ConditionExpression: 'attribute_exists(#m)', ExpressionAttributeNames: { '#m': from, '#n': to }, ExpressionAttributeValues: { ':t': true } }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      }
      return;
    }
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: this.tableName, Key: source, UpdateExpression: 'REMOVE #m', ConditionExpression: 'attribute_exists(#m)', ExpressionAttributeNames: { '#m': from } } },
              { Update: { TableName: this.tableName, Key: target, UpdateExpression: 'SET #m = :t', ExpressionAttributeNames: { '#m': to }, ExpressionAttributeValues: { ':t': true } } },
            ],
          }),
        ),
      );
    } catch (err) {
      if (cancellationCodes(err)?.[0] !== 'ConditionalCheckFailed') throw err; // moved by an earlier run of this erasure
    }
  }

  /**
   * The facts of a hub's days between two dates (inclusive), each day's shards merged: one Query
   * per hub (`sk BETWEEN <from> AND <to>#~` is one contiguous range), at most `SHARDS` items per hub-day.
   */
  async hubDays(hubId: string, from: string, to: string): Promise<Map<string, DayFacts>> {
    const out = new Map<string, DayFacts>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': this.key('DAY', hubId), ':from': from, ':to': `${to}#~` },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const { pk: _pk, sk, ...facts } of res.Items ?? []) {
        const date = String(sk).split('#')[0] ?? '';
        out.set(date, Object.assign(out.get(date) ?? {}, facts));
      }
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
