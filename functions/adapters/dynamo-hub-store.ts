import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutgoingEvent } from '../domain/events.ts';
import { ConcurrentChange, QuotaExceeded, UniqueConflict, type Agreement, type HubStore, type Member, type Organisation, type PresenceEntry, type Visit } from '../domain/hub.ts';
import { cancellationCodes, withConflictRetry } from './dynamo-errors.ts';
import { OUTBOX_ENTITY, outboxItem } from './outbox.ts';

/** The name of the hub table's one secondary index: visits by member (also bookings by member, and the hub's organisations). */
export const MEMBER_VISITS_INDEX = 'gsi1';

/** The index partition of the hub's organisations (`gsi1pk`), sorted by name (`gsi1sk`). */
const ORGANISATIONS = 'ORGS';
const organisationSortKey = (org: Organisation) => `${org.name.toLocaleLowerCase('sv')}#${org.id}`;

const key = {
  org: (id: string) => ({ pk: `ORG#${id}`, sk: 'ORG' }),
  agreement: (orgId: string, agreementId: string) => ({ pk: `ORG#${orgId}`, sk: `AGREEMENT#${agreementId}` }),
  member: (id: string) => ({ pk: `MEMBER#${id}`, sk: 'MEMBER' }),
  /** The tombstone of an erased member: keyed by a hash, so that no item names the member id any more. */
  tombstone: (id: string) => ({ pk: `ERASED#${createHash('sha256').update(id).digest('hex')}`, sk: 'ERASED' }),
  /** The tombstone as it was first written (it named the member id); still read. */
  legacyTombstone: (id: string) => ({ pk: `MEMBER#${id}`, sk: 'ERASED' }),
  memberCode: (code: string) => ({ pk: `MEMBERCODE#${code}`, sk: 'MEMBERCODE' }),
  email: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'EMAIL' }),
  search: (token: string, memberId: string) => ({ pk: 'SEARCH', sk: `${token}#${memberId}` }),
  visit: (id: string) => ({ pk: `VISIT#${id}`, sk: 'VISIT' }),
  presence: (memberId: string) => ({ pk: 'PRESENT', sk: `MEMBER#${memberId}` }),
  notified: (visitId: string) => ({ pk: `VISIT#${visitId}`, sk: 'HOSTNOTIFIED' }),
};

/**
 * Puts every organisation stored before the hub's list existed (an `ORG` item without the index keys)
 * into the list: a one-off backfill, run by the local runtime on a kept data directory at start. A
 * filtered Scan of the table; returns how many it listed.
 */
export async function backfillOrganisationList(db: DynamoDBDocumentClient, tableName: string): Promise<number> {
  let listed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.send(
      new ScanCommand({ TableName: tableName, FilterExpression: 'sk = :org AND attribute_not_exists(gsi1pk)', ExpressionAttributeValues: { ':org': 'ORG' }, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    for (const item of (res.Items ?? []) as Array<Organisation & { pk: string }>) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key.org(item.id),
          UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':pk': ORGANISATIONS, ':sk': organisationSortKey(item) },
        }),
      );
      listed++;
    }
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return listed;
}

/**
 * Every item of the hub table that names a member by id: as member, host, booker, in an
 * idempotency record or in an event waiting in the outbox. A filtered Scan: GDPR export and
 * erasure are rare, and a scan finds every kind of item, also those no index covers
 * (guests' and visits' `hostMemberId`, idempotency records).
 */
export async function scanNaming(db: DynamoDBDocumentClient, tableName: string, memberId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'memberId = :id OR hostMemberId = :id OR contains(requestHash, :quoted) OR #detail.#data.memberId = :id',
        ExpressionAttributeNames: { '#detail': 'detail', '#data': 'data' },
        ExpressionAttributeValues: { ':id': memberId, ':quoted': JSON.stringify(memberId) },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((res.Items ?? []) as Record<string, unknown>[]));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}

/** The hub's single DynamoDB table: entities, uniqueness guards, the search index and the outbox. */
/** How many organisations a container keeps (oldest dropped first). */
const ORGANISATION_CACHE_SIZE = 2000;

export class DynamoHubStore implements HubStore {
  private readonly organisations = new Map<string, Organisation>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private put(item: Record<string, unknown>, guard = true) {
    return { Put: { TableName: this.tableName, Item: item, ...(guard ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } };
  }

  private del(k: { pk: string; sk: string }, condition?: string, values?: Record<string, unknown>) {
    return { Delete: { TableName: this.tableName, Key: k, ...(condition ? { ConditionExpression: condition } : {}), ...(values ? { ExpressionAttributeValues: values } : {}) } };
  }

  private outbox(events: OutgoingEvent[]) {
    return events.map((e) => this.put(outboxItem(e)));
  }

  private write(items: unknown[]) {
    return withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items as never })));
  }

  private async get<T>(k: { pk: string; sk: string }): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: k, ConsistentRead: true }));
    return strip<T>(res.Item);
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey }));
      items.push(...((res.Items ?? []) as Record<string, unknown>[]));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * An organisation, read once per container: the item is written once (`createOrganisation`, a
   * conditional put) and never changed or deleted, so a cached copy cannot be stale. Saves a round
   * trip on every check-in (docs/performance.md). Absent ids are not cached: one may be created later.
   */
  async getOrganisation(id: string) {
    const cached = this.organisations.get(id);
    if (cached) return cached;
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.org(id), ConsistentRead: true }));
    const org = strip<Organisation>(res.Item);
    if (res.Item && res.Item.gsi1pk === undefined) this.unlisted.add(id);
    if (org) {
      if (this.organisations.size >= ORGANISATION_CACHE_SIZE) this.organisations.delete(this.organisations.keys().next().value as string);
      this.organisations.set(id, org);
    }
    return org;
  }

  /** Organisations read without the list's index keys (written before the list existed). */
  private readonly unlisted = new Set<string>();

  /**
   * Puts an organisation written before the hub's list existed into it (its index keys); nothing for
   * one that is listed, so registering a known organisation again costs no write.
   */
  async listOrganisation(org: Organisation): Promise<void> {
    if (!this.unlisted.has(org.id)) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key.org(org.id),
        UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':pk': ORGANISATIONS, ':sk': organisationSortKey(org) },
      }),
    );
    this.unlisted.delete(org.id);
  }

  async createOrganisation(org: Organisation, events: OutgoingEvent[]): Promise<boolean> {
    try {
      // In the hub's list of organisations (the sparse index gsi1, partition ORGS), sorted by name.
      await this.write([this.put({ ...key.org(org.id), entity: 'organisation', gsi1pk: ORGANISATIONS, gsi1sk: organisationSortKey(org), ...org }), ...this.outbox(events)]);
      return true;
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  /** The hub's organisations by name: one query of the index partition every organisation item is in. */
  async listOrganisations(): Promise<Organisation[]> {
    const items = await this.queryAll({ IndexName: MEMBER_VISITS_INDEX, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': ORGANISATIONS } });
    return items.map((i) => strip<Organisation>(i) as Organisation);
  }

  async createMember(member: Member, tokens: string[], events: OutgoingEvent[], agreement?: Agreement): Promise<void> {
    const guarded: Array<[string, unknown]> = [
      ['member', this.put({ ...key.member(member.id), entity: 'member', ...member })],
      ['memberCode', this.put({ ...key.memberCode(member.memberCode), entity: 'guard', memberId: member.id })],
      ...(member.email ? [['email', this.put({ ...key.email(member.email), entity: 'guard', memberId: member.id })] as [string, unknown]] : []),
      // The seat: counted in the same transaction, so racing registrations cannot overfill it.
      ...(agreement ? [['seat', this.takeSeat(agreement)] as [string, unknown]] : []),
    ];
    try {
      await this.write([...guarded.map(([, item]) => item), ...tokens.map((t) => this.put({ ...key.search(t, member.id), entity: 'search', memberId: member.id }, false)), ...this.outbox(events)]);
    } catch (e) {
      const codes = cancellationCodes(e);
      const failed = guarded.filter((_, i) => codes?.[i] === 'ConditionalCheckFailed').map(([label]) => label);
      if (failed.includes('email')) throw new UniqueConflict('email');
      if (failed.includes('memberCode')) throw new UniqueConflict('memberCode');
      if (failed.includes('seat')) throw new QuotaExceeded();
      throw e;
    }
  }

  async updateMember(before: Member, after: Member, oldTokens: string[], newTokens: string[]): Promise<void> {
    const emailMoves = after.email !== before.email;
    const items: unknown[] = [
      // The member as read: a concurrent change or erasure fails the whole change.
      { Put: { TableName: this.tableName, Item: { ...key.member(after.id), entity: 'member', ...after }, ConditionExpression: 'attribute_exists(pk) AND #n = :n AND (attribute_not_exists(email) OR email = :e)', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': before.name, ':e': before.email ?? '' } } },
      ...(emailMoves && after.email ? [this.put({ ...key.email(after.email), entity: 'guard', memberId: after.id })] : []),
      ...(emailMoves && before.email ? [this.del(key.email(before.email))] : []),
      ...oldTokens.filter((t) => !newTokens.includes(t)).map((t) => this.del(key.search(t, after.id))),
      ...newTokens.filter((t) => !oldTokens.includes(t)).map((t) => this.put({ ...key.search(t, after.id), entity: 'search', memberId: after.id }, false)),
    ];
    try {
      await this.write(items);
    } catch (e) {
      const codes = cancellationCodes(e);
      if (emailMoves && after.email && codes?.[1] === 'ConditionalCheckFailed') throw new UniqueConflict('email');
      if (codes?.[0] === 'ConditionalCheckFailed') throw new ConcurrentChange();
      throw e;
    }
    if (after.name !== before.name) {
      // Someone in now: the presence list shows the new name (no row, nobody in: nothing to do).
      await this.db
        .send(new UpdateCommand({ TableName: this.tableName, Key: key.presence(after.id), UpdateExpression: 'SET #n = :n', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': after.name } }))
        .catch((e: Error) => {
          if (e.name !== 'ConditionalCheckFailedException') throw e;
        });
    }
  }

  private takeSeat(agreement: Agreement) {
    return {
      Update: {
        TableName: this.tableName,
        Key: key.agreement(agreement.organisationId, agreement.id),
        UpdateExpression: 'ADD used :one',
        ConditionExpression: 'attribute_exists(pk) AND used < seats',
        ExpressionAttributeValues: { ':one': 1 },
      },
    };
  }

  async createAgreement(agreement: Agreement): Promise<void> {
    await this.write([this.put({ ...key.agreement(agreement.organisationId, agreement.id), entity: 'agreement', ...agreement })]);
  }

  async agreementsOf(organisationId: string): Promise<Agreement[]> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)', ExpressionAttributeValues: { ':pk': `ORG#${organisationId}`, ':a': 'AGREEMENT#' }, ConsistentRead: true });
    return items.flatMap((i) => strip<Agreement>(i) ?? []);
  }

  getMember(id: string) {
    return this.get<Member>(key.member(id));
  }

  async getMemberByCode(code: string) {
    const guard = await this.get<{ memberId: string }>(key.memberCode(code));
    return guard ? this.getMember(guard.memberId) : undefined;
  }

  async searchMembers(prefix: string, limit: number): Promise<string[]> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'SEARCH', ':prefix': prefix },
        Limit: limit,
      }),
    );
    return [...new Set((res.Items ?? []).map((i) => String(i.memberId)))];
  }

  async openVisit(visit: Visit & { memberId: string }, presence: PresenceEntry, events: OutgoingEvent[]) {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await this.write([
          this.put({ ...key.presence(visit.memberId), entity: 'presence', ...presence }),
          this.put({ ...key.visit(visit.id), entity: 'visit', gsi1pk: `MEMBERVISITS#${visit.memberId}`, gsi1sk: visit.checkedInAt, ...visit }),
          ...this.outbox(events),
        ]);
        return { created: true, visit };
      } catch (e) {
        if (cancellationCodes(e)?.[0] !== 'ConditionalCheckFailed') throw e;
      }
      const open = await this.get<PresenceEntry>(key.presence(visit.memberId));
      const existing = open && (await this.get<Visit>(key.visit(open.visitId)));
      if (existing) return { created: false, visit: existing };
      // The member was checked out between our write and our read: try again.
    }
    throw new Error(`Could not open a visit for member ${visit.memberId}: presence kept changing`);
  }

  getVisit(id: string) {
    return this.get<Visit>(key.visit(id));
  }

  async closeVisit(visit: Visit & { memberId: string }, closed: { checkedOutAt: string; durationMinutes: number; autoClosed: boolean }, events: OutgoingEvent[]) {
    try {
      await this.write([
        {
          Update: {
            TableName: this.tableName,
            Key: key.visit(visit.id),
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(checkedOutAt)',
            UpdateExpression: 'SET checkedOutAt = :out, durationMinutes = :d, autoClosed = :auto',
            ExpressionAttributeValues: { ':out': closed.checkedOutAt, ':d': closed.durationMinutes, ':auto': closed.autoClosed },
          },
        },
        this.del(key.presence(visit.memberId), 'visitId = :v', { ':v': visit.id }),
        ...this.outbox(events),
      ]);
      return true;
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  async presence(): Promise<PresenceEntry[]> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'PRESENT' }, ConsistentRead: true });
    return items.flatMap((i) => strip<PresenceEntry>(i) ?? []);
  }

  async visitsOf(memberId: string): Promise<Visit[]> {
    const items = await this.queryAll({ IndexName: MEMBER_VISITS_INDEX, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `MEMBERVISITS#${memberId}` } });
    return items.flatMap((i) => strip<Visit>(i) ?? []);
  }

  async eraseMember(member: Member, tokens: string[], events: OutgoingEvent[], erasedAt: string): Promise<void> {
    try {
      await this.write([
      this.del(key.member(member.id), 'attribute_exists(pk)'),
      this.put({ ...key.tombstone(member.id), entity: 'tombstone', erasedAt }, false),
      ...(member.email ? [this.del(key.email(member.email))] : []),
      this.del(key.memberCode(member.memberCode)),
      this.del(key.presence(member.id)),
      ...(member.agreementId && member.agreementScope !== 'network' ? [{ Update: { TableName: this.tableName, Key: key.agreement(member.organisationId, member.agreementId), UpdateExpression: 'ADD used :d', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':d': -1 } } }] : []),
      ...tokens.map((t) => this.del(key.search(t, member.id))),
      ...this.outbox(events),
      ]);
    } catch (e) {
      // Erased meanwhile by a concurrent request: the tombstone is there, nothing more to do here.
      if (cancellationCodes(e)?.[0] !== 'ConditionalCheckFailed') throw e;
    }
  }

  async anonymiseVisits(memberId: string): Promise<void> {
    // The index is eventually consistent: read until it shows no linked visit.
    for (let round = 0; round < 20; round++) {
      const linked = await this.queryAll({ IndexName: MEMBER_VISITS_INDEX, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `MEMBERVISITS#${memberId}` } });
      if (linked.length === 0) return;
      for (const v of linked) {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: v.pk, sk: v.sk },
            UpdateExpression: 'REMOVE memberId, gsi1pk, gsi1sk SET anonymised = :t',
            ExpressionAttributeValues: { ':t': true },
          }),
        );
      }
    }
    throw new Error(`Visits of erased member ${memberId} still linked after 20 rounds`);
  }

  async wasHostNotified(visitId: string): Promise<boolean> {
    return (await this.get(key.notified(visitId))) !== undefined;
  }

  async markHostNotified(visitId: string, at: string): Promise<void> {
    await this.write([this.put({ ...key.notified(visitId), entity: 'notice', notifiedAt: at }, false)]);
  }

  async erasedAt(memberId: string): Promise<string | undefined> {
    const tombstone = await this.get<{ erasedAt: string }>(key.tombstone(memberId));
    if (tombstone) return tombstone.erasedAt;
    const legacy = await this.get<{ erasedAt: string }>(key.legacyTombstone(memberId));
    if (!legacy) return undefined;
    // Rewrite an old tombstone without the member id.
    await this.write([this.put({ ...key.tombstone(memberId), entity: 'tombstone', erasedAt: legacy.erasedAt }, false), this.del(key.legacyTombstone(memberId))]);
    return legacy.erasedAt;
  }

  async guestsOf(hostMemberId: string): Promise<Member[]> {
    return (await scanNaming(this.db, this.tableName, hostMemberId)).filter((i) => i.entity === 'member' && i.hostMemberId === hostMemberId).flatMap((i) => strip<Member>(i) ?? []);
  }

  async hostedVisitsOf(hostMemberId: string): Promise<Visit[]> {
    return (await scanNaming(this.db, this.tableName, hostMemberId)).filter((i) => i.entity === 'visit' && i.hostMemberId === hostMemberId).flatMap((i) => strip<Visit>(i) ?? []);
  }

  async unlinkHost(hostMemberId: string): Promise<void> {
    for (const item of await scanNaming(this.db, this.tableName, hostMemberId)) {
      if (item.hostMemberId !== hostMemberId) continue;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'REMOVE hostMemberId',
            ConditionExpression: 'attribute_exists(pk) AND hostMemberId = :id',
            ExpressionAttributeValues: { ':id': hostMemberId },
          }),
        );
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      }
    }
  }

  async forgetOutboxEvents(memberId: string): Promise<void> {
    // The stream captured each event when its item was inserted: deleting the item does not
    // take the event back, it only stops the table from keeping it until the TTL.
    for (const item of await scanNaming(this.db, this.tableName, memberId)) {
      if (item.entity !== OUTBOX_ENTITY) continue;
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
  }
}
