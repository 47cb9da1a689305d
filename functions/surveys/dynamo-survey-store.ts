import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, withConflictRetry } from '../adapters/dynamo-errors.ts';
import { outboxItem } from '../adapters/outbox.ts';
import type { OutgoingEvent } from '../domain/events.ts';
import { INVITATION_KEPT_DAYS, type CreateOutcome, type Invitation, type SurveyAnswer, type SurveyStore } from './surveys.ts';
import { memberItems } from '../adapters/dynamo-query.ts';

/**
 * Survey invitations in the hub table:
 * - `SURVEYINV#<token>` / `SURVEYINV`: the invitation, later with its answers (TTL: 30 days after the link expired);
 * - `MEMBER#<memberId>` / `SURVEYINV#<token>`: the member's invitations, so that export and erasure find them;
 * - `SURVEYTRIGGER#<eventId>#<studyId>` / `SURVEYTRIGGER`: one invitation per trigger and study (same TTL);
 * - `MEMBER#<memberId>` / `SURVEYRATE#<studyId>`: when the member was last invited to the study (TTL: the window's end).
 */
const key = {
  invitation: (token: string) => ({ pk: `SURVEYINV#${token}`, sk: 'SURVEYINV' }),
  ofMember: (memberId: string, token: string) => ({ pk: `MEMBER#${memberId}`, sk: `SURVEYINV#${token}` }),
  trigger: (eventId: string, studyId: string) => ({ pk: `SURVEYTRIGGER#${eventId}#${studyId}`, sk: 'SURVEYTRIGGER' }),
  rate: (memberId: string, studyId: string) => ({ pk: `MEMBER#${memberId}`, sk: `SURVEYRATE#${studyId}` }),
};

const epoch = (iso: string, plusDays = 0) => Math.floor(Date.parse(iso) / 1000) + plusDays * 86_400;

type InvitationItem = Omit<Invitation, 'expiresAt'> & { validUntil: string };

const fromItem = (item: Record<string, unknown>): Invitation => {
  const { pk: _pk, sk: _sk, entity: _e, expiresAt: _ttl, validUntil, ...rest } = item as unknown as InvitationItem & { pk: string; sk: string; entity: string; expiresAt: number };
  return { ...(rest as Omit<Invitation, 'expiresAt'>), expiresAt: validUntil };
};

/** {@link SurveyStore} on the hub table; an invitation or an answer and its event are one transaction (outbox). */
export class DynamoSurveyStore implements SurveyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async invitationForTrigger(triggerEventId: string, studyId: string): Promise<Invitation | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.trigger(triggerEventId, studyId), ConsistentRead: true }));
    return res.Item ? this.getInvitation(String(res.Item.token)) : undefined;
  }

  async createInvitation(inv: Invitation, notInvitedSince: string, rateLimitUntil: string, events: OutgoingEvent[]): Promise<CreateOutcome> {
    const ttl = epoch(inv.expiresAt, INVITATION_KEPT_DAYS);
    const { expiresAt, ...rest } = inv;
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...key.trigger(inv.triggerEventId, inv.studyId), entity: 'survey-trigger', token: inv.token, memberId: inv.memberId, expiresAt: ttl },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...key.rate(inv.memberId, inv.studyId), entity: 'survey-rate', lastInvitedAt: inv.invitedAt, expiresAt: epoch(rateLimitUntil) },
                  ConditionExpression: 'attribute_not_exists(pk) OR lastInvitedAt <= :since',
                  ExpressionAttributeValues: { ':since': notInvitedSince },
                },
              },
              { Put: { TableName: this.tableName, Item: { ...key.invitation(inv.token), entity: 'survey-invitation', ...rest, validUntil: expiresAt, expiresAt: ttl }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: this.tableName, Item: { ...key.ofMember(inv.memberId, inv.token), entity: 'survey-invitation-ref', token: inv.token, triggerEventId: inv.triggerEventId, studyId: inv.studyId, expiresAt: ttl } } },
              ...events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
            ],
          }),
        ),
      );
      return 'created';
    } catch (e) {
      const codes = cancellationCodes(e);
      if (codes?.[0] === 'ConditionalCheckFailed') return 'exists';
      if (codes?.[1] === 'ConditionalCheckFailed') return 'rate-limited';
      throw e;
    }
  }

  async markMailed(token: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({ TableName: this.tableName, Key: key.invitation(token), UpdateExpression: 'SET mailed = :t', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':t': true } }),
    );
  }

  async getInvitation(token: string): Promise<Invitation | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.invitation(token), ConsistentRead: true }));
    return res.Item ? fromItem(res.Item) : undefined;
  }

  async saveAnswers(token: string, answeredAt: string, answers: SurveyAnswer[], events: OutgoingEvent[]): Promise<boolean> {
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: key.invitation(token),
                  UpdateExpression: 'SET #status = :answered, answeredAt = :at, answers = :answers',
                  ConditionExpression: 'attribute_exists(pk) AND #status = :open AND validUntil > :at',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':answered': 'answered', ':open': 'open', ':at': answeredAt, ':answers': answers },
                },
              },
              ...events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
            ],
          }),
        ),
      );
      return true;
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  private memberItems(memberId: string, prefix: string): Promise<Record<string, unknown>[]> {
    return memberItems(this.db, this.tableName, memberId, prefix);
  }

  async invitationsOf(memberId: string): Promise<Invitation[]> {
    const out: Invitation[] = [];
    for (const ref of await this.memberItems(memberId, 'SURVEYINV#')) {
      const inv = await this.getInvitation(String(ref.token));
      if (inv) out.push(inv);
    }
    return out;
  }

  async forgetMember(memberId: string): Promise<void> {
    for (const ref of await this.memberItems(memberId, 'SURVEYINV#')) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key.invitation(String(ref.token)) }));
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key.trigger(String(ref.triggerEventId), String(ref.studyId)) }));
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: ref.pk, sk: ref.sk } }));
    }
    for (const item of await this.memberItems(memberId, 'SURVEYRATE#')) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
  }
}
