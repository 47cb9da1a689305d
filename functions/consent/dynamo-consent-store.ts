import { DeleteCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, withConflictRetry } from '../adapters/dynamo-errors.ts';
import { outboxItem } from '../adapters/outbox.ts';
import type { OutgoingEvent } from '../domain/events.ts';
import { ConsentRaced, type ConsentLink, type ConsentRecord, type ConsentStore } from './consent.ts';
import { memberItems } from '../adapters/dynamo-query.ts';

/**
 * Consents and consent links in the hub table:
 * - `MEMBER#<memberId>` / `CONSENT#<studyId>#<scope>`: the current consent with its history;
 * - `CONSENTLINK#<token>` / `CONSENTLINK`: a link (its `expiresAt`, epoch seconds, is the table's TTL);
 * - `MEMBER#<memberId>` / `CONSENTLINK#<token>`: the member's links, so that erasure finds them.
 */
const key = {
  consent: (memberId: string, studyId: string, scope: string) => ({ pk: `MEMBER#${memberId}`, sk: `CONSENT#${studyId}#${scope}` }),
  link: (token: string) => ({ pk: `CONSENTLINK#${token}`, sk: 'CONSENTLINK' }),
  linkOfMember: (memberId: string, token: string) => ({ pk: `MEMBER#${memberId}`, sk: `CONSENTLINK#${token}` }),
};

/** {@link ConsentStore} on the hub table; a consent and its event are one transaction (outbox). */
export class DynamoConsentStore implements ConsentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private memberItems(memberId: string, prefix: string): Promise<Record<string, unknown>[]> {
    return memberItems(this.db, this.tableName, memberId, prefix);
  }

  async consentsOf(memberId: string): Promise<ConsentRecord[]> {
    return (await this.memberItems(memberId, 'CONSENT#')).map(({ pk: _pk, sk: _sk, entity: _e, ...rest }) => rest as unknown as ConsentRecord);
  }

  async saveConsent(record: ConsentRecord, expectedRevision: number, events: OutgoingEvent[]): Promise<void> {
    const item = { ...key.consent(record.memberId, record.studyId, record.scope), entity: 'consent', ...record };
    const guard =
      expectedRevision === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#revision = :expected', ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':expected': expectedRevision } };
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: item, ...guard } },
              ...events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
            ],
          }),
        ),
      );
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') throw new ConsentRaced(`Consent ${record.studyId}/${record.scope} of ${record.memberId} changed meanwhile`);
      throw e;
    }
  }

  async createLink(link: ConsentLink): Promise<void> {
    const expiresAt = Math.floor(Date.parse(link.expiresAt) / 1000);
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...key.link(link.token), entity: 'consent-link', ...link, validUntil: link.expiresAt, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: this.tableName, Item: { ...key.linkOfMember(link.memberId, link.token), entity: 'consent-link-ref', memberId: link.memberId, token: link.token, expiresAt } } },
        ],
      }),
    );
  }

  async getLink(token: string): Promise<ConsentLink | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.link(token), ConsistentRead: true }));
    const item = res.Item as (Omit<ConsentLink, 'expiresAt'> & { validUntil: string }) | undefined;
    if (!item) return undefined;
    return { token: item.token, memberId: item.memberId, hubId: item.hubId, createdAt: item.createdAt, expiresAt: item.validUntil };
  }

  async forgetMember(memberId: string): Promise<void> {
    for (const ref of await this.memberItems(memberId, 'CONSENTLINK#')) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key.link(String(ref.token)) }));
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: ref.pk, sk: ref.sk } }));
    }
    for (const item of await this.memberItems(memberId, 'CONSENT#')) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
  }
}
