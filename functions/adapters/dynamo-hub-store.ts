import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutgoingEvent } from '../domain/events.ts';
import { UniqueConflict, type HubStore, type Member, type Organisation, type Visit } from '../domain/hub.ts';
import { cancellationCodes, withConflictRetry } from './dynamo-errors.ts';
import { outboxItem } from './outbox.ts';

const key = {
  org: (id: string) => ({ pk: `ORG#${id}`, sk: 'ORG' }),
  orgNumber: (n: string) => ({ pk: `ORGNUMBER#${n}`, sk: 'ORGNUMBER' }),
  member: (id: string) => ({ pk: `MEMBER#${id}`, sk: 'MEMBER' }),
  memberCode: (code: string) => ({ pk: `MEMBERCODE#${code}`, sk: 'MEMBERCODE' }),
  email: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'EMAIL' }),
  visit: (id: string) => ({ pk: `VISIT#${id}`, sk: 'VISIT' }),
  openVisit: (memberId: string) => ({ pk: `OPENVISIT#${memberId}`, sk: 'OPENVISIT' }),
};

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as T;
}

/** The hub's single DynamoDB table: entities, uniqueness guards and the outbox. */
export class DynamoHubStore implements HubStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private put(item: Record<string, unknown>, guard = true) {
    return { Put: { TableName: this.tableName, Item: item, ...(guard ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } };
  }

  private outbox(events: OutgoingEvent[]) {
    return events.map((e) => this.put(outboxItem(e)));
  }

  private async get<T>(k: { pk: string; sk: string }): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: k, ConsistentRead: true }));
    return strip<T>(res.Item);
  }

  async createOrganisation(org: Organisation, events: OutgoingEvent[]): Promise<void> {
    const items = [this.put({ ...key.org(org.id), entity: 'organisation', ...org })];
    if (org.orgNumber) items.push(this.put({ ...key.orgNumber(org.orgNumber), entity: 'guard', organisationId: org.id }));
    try {
      await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: [...items, ...this.outbox(events)] })));
    } catch (e) {
      if (org.orgNumber && cancellationCodes(e)?.[1] === 'ConditionalCheckFailed') throw new UniqueConflict('orgNumber');
      throw e;
    }
  }

  getOrganisation(id: string) {
    return this.get<Organisation>(key.org(id));
  }

  async createMember(member: Member, events: OutgoingEvent[]): Promise<void> {
    const items = [
      this.put({ ...key.member(member.id), entity: 'member', ...member }),
      this.put({ ...key.email(member.email), entity: 'guard', memberId: member.id }),
      this.put({ ...key.memberCode(member.memberCode), entity: 'guard', memberId: member.id }),
      ...this.outbox(events),
    ];
    try {
      await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (e) {
      const codes = cancellationCodes(e);
      if (codes?.[1] === 'ConditionalCheckFailed') throw new UniqueConflict('email');
      if (codes?.[2] === 'ConditionalCheckFailed') throw new UniqueConflict('memberCode');
      throw e;
    }
  }

  getMember(id: string) {
    return this.get<Member>(key.member(id));
  }

  async getMemberByCode(code: string) {
    const guard = await this.get<{ memberId: string }>(key.memberCode(code));
    return guard ? this.getMember(guard.memberId) : undefined;
  }

  async openVisit(visit: Visit, events: OutgoingEvent[]) {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await withConflictRetry(() =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                this.put({ ...key.openVisit(visit.memberId), entity: 'guard', visitId: visit.id }),
                this.put({ ...key.visit(visit.id), entity: 'visit', ...visit }),
                ...this.outbox(events),
              ],
            }),
          ),
        );
        return { created: true as const, visit };
      } catch (e) {
        if (cancellationCodes(e)?.[0] !== 'ConditionalCheckFailed') throw e;
      }
      const open = await this.get<{ visitId: string }>(key.openVisit(visit.memberId));
      const existing = open && (await this.get<Visit>(key.visit(open.visitId)));
      if (existing) return { created: false as const, visit: existing };
      // The open visit was closed between our write and our read: try again.
    }
    throw new Error(`Could not open a visit for member ${visit.memberId}: the open-visit guard kept changing`);
  }
}
