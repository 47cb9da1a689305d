import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, withConflictRetry } from '../adapters/dynamo-errors.ts';

/** Processed-event markers outlive the national bus archive's retention, so a replay is never counted twice. */
export const PROCESSED_TTL_SECONDS = 400 * 24 * 3600;

/** One hub-day of the national roll-up. */
export interface HubDay {
  hubId: string;
  date: string;
  checkIns: number;
  organisations: number;
  /** Check-ins of people from businesses (organisation type business, or business partners). */
  businessCheckIns: number;
}

/** The national reporting store: per-hub daily counts, updated exactly once per event. */
export class ReportStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Counts a check-in once: the processed marker (conditional on our eventId) and the
   * counter update commit together or not at all. Returns false for a duplicate delivery.
   */
  async recordCheckIn(e: { eventId: string; hubId: string; localDate: string; organisationId: string; business: boolean }, now = new Date()): Promise<boolean> {
    try {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { pk: `PROCESSED#${e.eventId}`, sk: 'PROCESSED', processedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + PROCESSED_TTL_SECONDS },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: { pk: `HUBDAY#${e.hubId}`, sk: e.localDate },
                  UpdateExpression: 'ADD checkIns :one, businessCheckIns :business, organisations :org SET hubId = :hub, #date = :date',
                  ExpressionAttributeNames: { '#date': 'date' },
                  ExpressionAttributeValues: { ':one': 1, ':business': e.business ? 1 : 0, ':org': new Set([e.organisationId]), ':hub': e.hubId, ':date': e.localDate },
                },
              },
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      if (cancellationCodes(err)?.[0] === 'ConditionalCheckFailed') return false;
      throw err;
    }
  }

  /** The hub-days of one hub between two local dates, inclusive. */
  async hubDays(hubId: string, from: string, to: string): Promise<HubDay[]> {
    const days: HubDay[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `HUBDAY#${hubId}`, ':from': from, ':to': to },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of res.Items ?? []) {
        days.push({
          hubId,
          date: String(item.sk),
          checkIns: Number(item.checkIns ?? 0),
          organisations: (item.organisations as Set<string> | undefined)?.size ?? 0,
          businessCheckIns: Number(item.businessCheckIns ?? 0),
        });
      }
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return days;
  }
}
