import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Agreement, NetworkAgreementStore } from '../domain/agreements.ts';
import { cancellationCodes, withConflictRetry } from './dynamo-errors.ts';
import { clock } from '../shared/clock.ts';

/**
 * Network-wide agreements in the national network table: the agreement item counts its seats,
 * and each seat has a holder item (`SEAT#<agreementId>` / `<hubId>#<memberId>`), so taking and
 * giving back a seat are idempotent and auditable.
 */
export class DynamoNetworkStore implements NetworkAgreementStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private agreementKey(a: Pick<Agreement, 'id' | 'organisationId'>) {
    return { pk: `ORG#${a.organisationId}`, sk: `AGREEMENT#${a.id}` };
  }

  private holderKey(a: Pick<Agreement, 'id'>, h: { hubId: string; memberId: string }) {
    return { pk: `SEAT#${a.id}`, sk: `${h.hubId}#${h.memberId}` };
  }

  async agreementsOf(organisationId: string): Promise<Agreement[]> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': `ORG#${organisationId}`, ':a': 'AGREEMENT#' },
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []).map(({ pk: _pk, sk: _sk, ...a }) => a as Agreement);
  }

  async create(agreement: Agreement): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: this.tableName, Item: { ...this.agreementKey(agreement), ...agreement }, ConditionExpression: 'attribute_not_exists(pk)' } }],
      }),
    );
  }

  async takeSeat(agreement: Agreement, holder: { hubId: string; memberId: string }): Promise<boolean> {
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: this.agreementKey(agreement),
                  UpdateExpression: 'ADD used :one',
                  ConditionExpression: 'attribute_exists(pk) AND used < seats',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
              { Put: { TableName: this.tableName, Item: { ...this.holderKey(agreement, holder), ...holder, takenAt: clock().toISOString() }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        ),
      );
      return true;
    } catch (e) {
      const codes = cancellationCodes(e);
      if (codes?.[0] === 'ConditionalCheckFailed') return false;
      if (codes?.[1] === 'ConditionalCheckFailed') return true; // this member holds the seat already
      throw e;
    }
  }

  async releaseSeat(agreement: Pick<Agreement, 'id' | 'organisationId'>, holder: { hubId: string; memberId: string }): Promise<void> {
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: this.tableName, Key: this.holderKey(agreement, holder), ConditionExpression: 'attribute_exists(pk)' } },
              { Update: { TableName: this.tableName, Key: this.agreementKey(agreement), UpdateExpression: 'ADD used :minus', ExpressionAttributeValues: { ':minus': -1 } } },
            ],
          }),
        ),
      );
    } catch (e) {
      if (cancellationCodes(e)?.[0] !== 'ConditionalCheckFailed') throw e; // given back already
    }
  }
}
