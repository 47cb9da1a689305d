import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { cancellationCodes, withConflictRetry } from '../adapters/dynamo-errors.ts';
import { outboxItem } from '../adapters/outbox.ts';
import type { OutgoingEvent } from '../domain/events.ts';
import { fold } from '../domain/identity.ts';
import { DirectoryRecordChanged, type DirectoryIndex, type DirectoryProfile, type DirectoryRecord, type DirectoryRecords, type IndexHit } from './directory.ts';

/** How many index entries one search request reads at most before it answers with a cursor. */
export const MAX_READ_PER_SEARCH = 1000;

const STRIP = ['pk', 'sk', 'entity', 'tokens', 'listSk', 'sourceRev'];
const strip = <T>(item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([k]) => !STRIP.includes(k))) as T;

/**
 * The member's directory record in their hub's table (`DIRECTORY#<memberId>`), written together
 * with its events (the outbox). It names the member by `memberId`, so the export's scan and the
 * erasure's sweep find it.
 */
export class DynamoDirectoryRecords implements DirectoryRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(memberId: string) {
    return { pk: `DIRECTORY#${memberId}`, sk: 'DIRECTORY' };
  }

  private outbox(events: OutgoingEvent[]) {
    return events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } }));
  }

  async get(memberId: string): Promise<DirectoryRecord | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(memberId), ConsistentRead: true }));
    return res.Item ? strip<DirectoryRecord>(res.Item) : undefined;
  }

  async put(record: DirectoryRecord, events: OutgoingEvent[], prevRev: number | undefined): Promise<void> {
    const guard = prevRev === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': prevRev } };
    try {
      await withConflictRetry(() =>
        this.db.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: this.tableName, Item: { ...this.key(record.memberId), entity: 'directory-record', ...record }, ...guard } }, ...this.outbox(events)] })),
      );
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') throw new DirectoryRecordChanged(`The directory record of ${record.memberId} changed meanwhile`);
      throw e;
    }
  }

  async delete(memberId: string, events: OutgoingEvent[]): Promise<void> {
    await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: this.tableName, Key: this.key(memberId) } }, ...this.outbox(events)] })));
  }
}

/** The network copy as stored: its own revision, the revision of the hub record it copies, its words and list key. */
type Stored = DirectoryProfile & { rev: number; sourceRev: number; tokens: string[]; listSk: string };

/** Where a page of a search ends: the key of the last index entry read. */
const Cursor = z.object({ pk: z.enum(['DIRSEARCH', 'DIRLIST']), sk: z.string().max(600) }).strict();

/**
 * The searchable copy of every hub's published profiles in the national network table:
 * - the profile, `DIRPROFILE#<hubId>#<memberId>` / `PROFILE`, with a revision for optimistic writes;
 * - one entry per searchable word, partition `DIRSEARCH`, sort key `<word>#<hubId>#<memberId>`:
 *   a search by a word's prefix is one range read (`begins_with`), never a scan;
 * - one entry in the list by name, partition `DIRLIST`, sort key `<folded name>#<hubId>#<memberId>`,
 *   for browsing without words.
 * Entries carry `hubId` and `organisationType`, so the filters apply before a profile is read.
 * A profile and its entries change in one transaction.
 */
export class DynamoDirectoryIndex implements DirectoryIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private profileKey(hubId: string, memberId: string) {
    return { pk: `DIRPROFILE#${hubId}#${memberId}`, sk: 'PROFILE' };
  }

  private async current(hubId: string, memberId: string) {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.profileKey(hubId, memberId), ConsistentRead: true }));
    return res.Item as Stored | undefined;
  }

  /** The profile's guard: unchanged since it was read (or still absent). */
  private guard(prev: { rev: number } | undefined) {
    return prev ? { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': prev.rev } } : { ConditionExpression: 'attribute_not_exists(pk)' };
  }

  /** Writes until it commits on top of what it read; a concurrent write makes it read again. */
  private async optimistic(build: (prev: Stored | undefined) => unknown[] | undefined, hubId: string, memberId: string) {
    for (let attempt = 1; ; attempt++) {
      const prev = await this.current(hubId, memberId);
      const items = build(prev);
      if (!items) return;
      try {
        await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items as never })));
        return;
      } catch (e) {
        if (cancellationCodes(e)?.[0] !== 'ConditionalCheckFailed' || attempt >= 10) throw e;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * attempt));
      }
    }
  }

  async put(profile: DirectoryProfile, tokens: string[], sourceRev: number): Promise<void> {
    const suffix = `${profile.hubId}#${profile.memberId}`;
    const listSk = `${fold(profile.name)}#${suffix}`;
    const entry = { hubId: profile.hubId, memberId: profile.memberId, organisationType: profile.organisationType };
    await this.optimistic(
      (prev) => {
        // A copy of a later revision of the member's record is there already: it wins.
        if (prev && prev.sourceRev >= sourceRev) return undefined;
        const old = new Set(prev?.tokens ?? []);
        const now = new Set(tokens);
        return [
          { Put: { TableName: this.tableName, Item: { ...this.profileKey(profile.hubId, profile.memberId), entity: 'directory-profile', ...profile, rev: (prev?.rev ?? 0) + 1, sourceRev, tokens, listSk }, ...this.guard(prev) } },
          ...[...old].filter((t) => !now.has(t)).map((t) => ({ Delete: { TableName: this.tableName, Key: { pk: 'DIRSEARCH', sk: `${t}#${suffix}` } } })),
          // Entries are rewritten every time: the organisation type they carry may have changed.
          ...tokens.map((t) => ({ Put: { TableName: this.tableName, Item: { pk: 'DIRSEARCH', sk: `${t}#${suffix}`, entity: 'directory-entry', ...entry } } })),
          ...(prev && prev.listSk !== listSk ? [{ Delete: { TableName: this.tableName, Key: { pk: 'DIRLIST', sk: prev.listSk } } }] : []),
          { Put: { TableName: this.tableName, Item: { pk: 'DIRLIST', sk: listSk, entity: 'directory-entry', ...entry } } },
        ];
      },
      profile.hubId,
      profile.memberId,
    );
  }

  async remove(hubId: string, memberId: string): Promise<void> {
    const suffix = `${hubId}#${memberId}`;
    await this.optimistic(
      (prev) =>
        prev && [
          { Delete: { TableName: this.tableName, Key: this.profileKey(hubId, memberId), ...this.guard(prev) } },
          ...prev.tokens.map((t) => ({ Delete: { TableName: this.tableName, Key: { pk: 'DIRSEARCH', sk: `${t}#${suffix}` } } })),
          { Delete: { TableName: this.tableName, Key: { pk: 'DIRLIST', sk: prev.listSk } } },
        ],
      hubId,
      memberId,
    );
  }

  async search(
    q: { prefix?: string | undefined; hub?: string | undefined; organisationType?: string | undefined; limit: number; cursor?: string | undefined },
    keep: (hit: IndexHit) => boolean,
  ): Promise<{ hits: DirectoryProfile[]; nextCursor?: string }> {
    const pk = q.prefix ? 'DIRSEARCH' : 'DIRLIST';
    let startKey: { pk: string; sk: string } | undefined = q.cursor ? decodeCursor(q.cursor, pk) : undefined;
    const filters = [...(q.hub ? ['hubId = :hub'] : []), ...(q.organisationType ? ['organisationType = :type'] : [])];
    const hits: DirectoryProfile[] = [];
    let read = 0;
    while (read < MAX_READ_PER_SEARCH) {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: q.prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeValues: { ':pk': pk, ...(q.prefix ? { ':prefix': q.prefix } : {}), ...(q.hub ? { ':hub': q.hub } : {}), ...(q.organisationType ? { ':type': q.organisationType } : {}) },
          Limit: Math.min(100, MAX_READ_PER_SEARCH - read),
          ExclusiveStartKey: startKey,
        }),
      );
      read += res.ScannedCount ?? 0;
      const entries = (res.Items ?? []) as Array<{ pk: string; sk: string; hubId: string; memberId: string }>;
      const profiles = await this.profiles(entries);
      for (const entry of entries) {
        const profile = profiles.get(`${entry.hubId}#${entry.memberId}`);
        if (profile && keep({ profile, ...(q.prefix ? { token: entry.sk.slice(0, entry.sk.indexOf('#')) } : {}) })) hits.push(profile);
        if (hits.length >= q.limit) return { hits, nextCursor: encodeCursor({ pk: entry.pk, sk: entry.sk }) };
      }
      const last = res.LastEvaluatedKey as { pk: string; sk: string } | undefined;
      if (!last) return { hits };
      startKey = { pk: last.pk, sk: last.sk };
    }
    // Read enough for one request: the next page goes on from here.
    return startKey ? { hits, nextCursor: encodeCursor(startKey) } : { hits };
  }

  /** The profiles of index entries, by `<hubId>#<memberId>` (entries of a profile removed meanwhile have none). */
  private async profiles(entries: Array<{ hubId: string; memberId: string }>): Promise<Map<string, DirectoryProfile>> {
    const out = new Map<string, DirectoryProfile>();
    const ids = [...new Set(entries.map((e) => `${e.hubId}#${e.memberId}`))];
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((id) => ({ pk: `DIRPROFILE#${id}`, sk: 'PROFILE' }));
      while (keys?.length) {
        const res: { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }> } = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const { rev: _rev, ...p } = strip<DirectoryProfile & { rev?: number }>(item);
          out.set(`${p.hubId}#${p.memberId}`, p);
        }
        keys = res.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return out;
  }
}

const encodeCursor = (c: { pk: string; sk: string }) => Buffer.from(JSON.stringify({ pk: c.pk, sk: c.sk })).toString('base64url');

function decodeCursor(s: string, pk: string): { pk: string; sk: string } | undefined {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
    if (parsed.success && parsed.data.pk === pk) return parsed.data;
  } catch {
    // not one of ours
  }
  return undefined;
}

/** Whether a cursor is one this index wrote (for a search of the same kind: by words or by list). */
export function isCursor(s: string, byWords: boolean): boolean {
  return decodeCursor(s, byWords ? 'DIRSEARCH' : 'DIRLIST') !== undefined;
}
