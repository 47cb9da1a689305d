import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsentScope } from '../../studies/schema.ts';
import type { ConsentState } from '../consent/consent.ts';
import type { ConsentStates, DayEntry, ResearchState, VisitFacts } from './project.ts';

const DAY = 86_400;
const ttl = (days: number) => Math.floor(Date.now() / 1000) + days * DAY;

/**
 * The research consumer's own table (never a hub's): processed event ids (400 days), consent
 * states keyed by study and pseudonym, open visits' facts (3 days), who was in a hub on a day
 * per study (3 days) and the co-presence pairs written per week (21 days). No member id.
 */
export class DynamoResearchState implements ResearchState {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async query(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey: startKey }));
      items.push(...((res.Items ?? []) as Record<string, unknown>[]));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async processed(eventId: string) {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `EVENT#${eventId}`, sk: 'EVENT' }, ConsistentRead: true }));
    return res.Item !== undefined;
  }

  async markProcessed(eventId: string) {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `EVENT#${eventId}`, sk: 'EVENT', expiresAt: ttl(400) } }));
  }

  async consentOf(studyId: string, person: string): Promise<ConsentStates> {
    const states: ConsentStates = {};
    for (const item of await this.query(`CONSENT#${studyId}#${person}`)) states[item.sk as ConsentScope] = { state: item.state as ConsentState, changedAt: String(item.changedAt) };
    return states;
  }

  async setConsent(studyId: string, person: string, scope: ConsentScope, state: ConsentState, changedAt: string) {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `CONSENT#${studyId}#${person}`, sk: scope, state, changedAt },
          // A change delivered late never overwrites a later one.
          ConditionExpression: 'attribute_not_exists(pk) OR changedAt <= :at',
          ExpressionAttributeValues: { ':at': changedAt },
        }),
      );
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  async forgetPerson(studyId: string, person: string) {
    for (const item of await this.query(`CONSENT#${studyId}#${person}`)) await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
  }

  async putVisit(visitId: string, facts: VisitFacts) {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `VISIT#${visitId}`, sk: 'VISIT', ...facts, expiresAt: ttl(3) } }));
  }

  async getVisit(visitId: string): Promise<VisitFacts | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `VISIT#${visitId}`, sk: 'VISIT' }, ConsistentRead: true }));
    if (!res.Item) return undefined;
    const { pk: _p, sk: _s, expiresAt: _e, ...facts } = res.Item;
    return facts as VisitFacts;
  }

  async joinDay(studyId: string, hubId: string, date: string, entry: DayEntry): Promise<DayEntry[]> {
    const pk = `DAY#${studyId}#${hubId}#${date}`;
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk, sk: entry.person, ...entry, expiresAt: ttl(3) } }));
    return (await this.query(pk)).filter((i) => i.sk !== entry.person).map((i) => ({ person: String(i.person), organisation: String(i.organisation), organisationType: String(i.organisationType) }));
  }

  claimPair(studyId: string, week: string, a: string, b: string): Promise<boolean> {
    return this.putIfAbsent({ pk: `PAIR#${studyId}#${week}#${a}#${b}`, sk: 'PAIR', expiresAt: ttl(21) });
  }
}
