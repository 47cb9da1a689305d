import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Hold } from '../domain/bookings.ts';
import type { OutgoingEvent } from '../domain/events.ts';
import { AlreadyRegistered, EventChanged, SlotTaken, type HubEvent, type HubEventStore, type Registration } from '../domain/hub-events.ts';
import { BOOKINGS_BY_DAY_INDEX, holdKey } from './dynamo-booking-store.ts';
import { cancellationCodes, withConflictRetry } from './dynamo-errors.ts';
import { MEMBER_VISITS_INDEX } from './dynamo-hub-store.ts';
import { outboxItem } from './outbox.ts';

/**
 * Keys of hub events in the hub table. The event item is listed by start through the second
 * index (`gsi2pk = HUBEVENTS`, next to the bookings by day); registrations live in the
 * event's partition and are found per member or per e-mail (GDPR) through the first index.
 */
const key = {
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  registration: (eventId: string, id: string) => ({ pk: `EVENT#${eventId}`, sk: `REG#${id}` }),
  guard: (eventId: string, who: { memberId: string } | { email: string }) => ({ pk: `EVENT#${eventId}`, sk: 'memberId' in who ? `GUARD#MEMBER#${who.memberId}` : `GUARD#EMAIL#${who.email}` }),
  notice: (k: string) => ({ pk: `EVENTNOTICE#${k}`, sk: 'NOTICE' }),
};

const STRIP = ['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'];
function strip<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !STRIP.includes(k))) as T;
}

function guardOf(r: Registration): { memberId: string } | { email: string } | undefined {
  return r.memberId ? { memberId: r.memberId } : r.email ? { email: r.email } : undefined;
}

/** Hub events, registrations and notices in the hub table; room slots as the bookings' hold items. */
export class DynamoHubEventStore implements HubEventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private eventItem(e: HubEvent) {
    return { ...key.event(e.id), entity: 'hub-event', gsi2pk: 'HUBEVENTS', gsi2sk: `${new Date(e.start).toISOString()}#${e.id}`, ...e };
  }

  private registrationItem(r: Registration) {
    const index = r.memberId ? { gsi1pk: `EVENTREGS#${r.memberId}`, gsi1sk: r.createdAt } : r.email ? { gsi1pk: `EVENTREGEMAIL#${r.email}`, gsi1sk: r.createdAt } : {};
    return { ...key.registration(r.eventId, r.id), entity: 'event-registration', ...index, ...r };
  }

  private take(h: Hold, eventId: string) {
    return { Put: { TableName: this.tableName, Item: { ...holdKey(h), entity: 'slot', bookingId: eventId, eventId }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  private release(h: Hold, eventId: string) {
    return { Delete: { TableName: this.tableName, Key: holdKey(h), ConditionExpression: 'bookingId = :id', ExpressionAttributeValues: { ':id': eventId } } };
  }

  private outbox(events: OutgoingEvent[]) {
    return events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } }));
  }

  private send(items: unknown[]) {
    // Many requests for the same event conflict; each retries until it commits or a condition refuses it.
    return withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items as never })), 30);
  }

  private async query(input: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: startKey } as never));
      items.push(...((res.Items ?? []) as Record<string, unknown>[]));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async createEvent(event: HubEvent, holds: Hold[], events: OutgoingEvent[]): Promise<void> {
    try {
      await this.send([...holds.map((h) => this.take(h, event.id)), { Put: { TableName: this.tableName, Item: this.eventItem(event), ConditionExpression: 'attribute_not_exists(pk)' } }, ...this.outbox(events)]);
    } catch (e) {
      const codes = cancellationCodes(e);
      const taken = holds.find((_, i) => codes?.[i] === 'ConditionalCheckFailed');
      if (taken) throw new SlotTaken(taken.unit);
      throw e;
    }
  }

  async getEvent(id: string): Promise<HubEvent | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.event(id), ConsistentRead: true }));
    return res.Item ? strip<HubEvent>(res.Item) : undefined;
  }

  async updateEvent(prev: HubEvent, next: HubEvent, take: Hold[], release: Hold[], promote: Registration[], events: OutgoingEvent[]): Promise<void> {
    const items = [
      ...take.map((h) => this.take(h, next.id)),
      {
        Put: {
          TableName: this.tableName,
          Item: this.eventItem(next),
          // Registrations change the counts without raising the version: both must be as read.
          ConditionExpression: 'version = :v AND confirmed = :c AND waitlisted = :w',
          ExpressionAttributeValues: { ':v': prev.version, ':c': prev.confirmed, ':w': prev.waitlisted },
        },
      },
      ...release.map((h) => this.release(h, prev.id)),
      ...promote.map((r) => this.promoteItem(r, next.updatedAt)),
      ...this.outbox(events),
    ];
    try {
      await this.send(items);
    } catch (e) {
      const codes = cancellationCodes(e);
      if (!codes) throw e;
      const taken = take.find((_, i) => codes[i] === 'ConditionalCheckFailed');
      if (taken) throw new SlotTaken(taken.unit);
      if (codes.includes('ConditionalCheckFailed')) throw new EventChanged();
      throw e;
    }
  }

  private promoteItem(r: Registration, at: string) {
    return {
      Update: {
        TableName: this.tableName,
        Key: key.registration(r.eventId, r.id),
        UpdateExpression: 'SET #s = :confirmed, promotedAt = :at',
        ConditionExpression: '#s = :waitlisted',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':confirmed': 'confirmed', ':waitlisted': 'waitlisted', ':at': at },
      },
    };
  }

  async listEvents(fromIso: string, toIso: string): Promise<HubEvent[]> {
    const items = await this.query({
      IndexName: BOOKINGS_BY_DAY_INDEX,
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'HUBEVENTS', ':from': fromIso, ':to': `${toIso}~` },
    });
    return items.map((i) => strip<HubEvent>(i));
  }

  async registrations(eventId: string): Promise<Registration[]> {
    const items = await this.query({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)', ExpressionAttributeValues: { ':pk': `EVENT#${eventId}`, ':r': 'REG#' }, ConsistentRead: true });
    return items.map((i) => strip<Registration>(i));
  }

  async getRegistration(eventId: string, id: string): Promise<Registration | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.registration(eventId, id), ConsistentRead: true }));
    return res.Item ? strip<Registration>(res.Item) : undefined;
  }

  async registrationIdOf(eventId: string, who: { memberId: string } | { email: string }): Promise<string | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.guard(eventId, who), ConsistentRead: true }));
    return res.Item ? String(res.Item.registrationId) : undefined;
  }

  async register(event: HubEvent, r: Registration, events: OutgoingEvent[]): Promise<void> {
    const confirmed = r.status === 'confirmed';
    const guard = guardOf(r);
    try {
      await this.send([
        {
          Update: {
            TableName: this.tableName,
            Key: key.event(event.id),
            UpdateExpression: confirmed ? 'ADD confirmed :one' : 'ADD waitlisted :one',
            // A seat only while one is free; the waitlist only while none is (a seat freed meanwhile is taken instead).
            ConditionExpression: `#s = :published AND ${confirmed ? 'confirmed < #cap' : 'confirmed >= #cap'}`,
            ExpressionAttributeNames: { '#s': 'status', '#cap': 'capacity' },
            ExpressionAttributeValues: { ':one': 1, ':published': 'published' },
          },
        },
        ...(guard ? [{ Put: { TableName: this.tableName, Item: { ...key.guard(event.id, guard), entity: 'guard', registrationId: r.id }, ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
        { Put: { TableName: this.tableName, Item: this.registrationItem(r), ConditionExpression: 'attribute_not_exists(pk)' } },
        ...this.outbox(events),
      ]);
    } catch (e) {
      const codes = cancellationCodes(e);
      if (guard && codes?.[1] === 'ConditionalCheckFailed') throw new AlreadyRegistered();
      if (codes?.[0] === 'ConditionalCheckFailed') throw new EventChanged();
      throw e;
    }
  }

  async cancelRegistration(event: HubEvent, r: Registration, promote: Registration | undefined, cancelledAt: string, events: OutgoingEvent[]): Promise<void> {
    const wasConfirmed = r.status === 'confirmed';
    const counts = wasConfirmed ? (promote ? 'ADD waitlisted :minus' : 'ADD confirmed :minus') : 'ADD waitlisted :minus';
    const guard = guardOf(r);
    try {
      await this.send([
        {
          Update: {
            TableName: this.tableName,
            Key: key.event(event.id),
            UpdateExpression: counts,
            // The waitlist must be as read, so that a seat freed never misses someone waiting.
            ConditionExpression: 'waitlisted = :w',
            ExpressionAttributeValues: { ':minus': -1, ':w': event.waitlisted },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: key.registration(r.eventId, r.id),
            UpdateExpression: 'SET #s = :cancelled, cancelledAt = :at, previousStatus = :prev',
            ConditionExpression: '#s = :prev',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': cancelledAt, ':prev': r.status },
          },
        },
        // Registering again after a cancellation is allowed.
        ...(guard ? [{ Delete: { TableName: this.tableName, Key: key.guard(r.eventId, guard) } }] : []),
        ...(promote ? [this.promoteItem(promote, cancelledAt)] : []),
        ...this.outbox(events),
      ]);
    } catch (e) {
      if (cancellationCodes(e)?.includes('ConditionalCheckFailed')) throw new EventChanged();
      throw e;
    }
  }

  async attend(r: Registration, at: string, how: NonNullable<Registration['attendedHow']>, events: OutgoingEvent[]): Promise<boolean> {
    try {
      await this.send([
        {
          Update: {
            TableName: this.tableName,
            Key: key.registration(r.eventId, r.id),
            UpdateExpression: 'SET attendedAt = :at, attendedHow = :how',
            ConditionExpression: '#s = :confirmed AND attribute_not_exists(attendedAt)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':at': at, ':how': how, ':confirmed': 'confirmed' },
          },
        },
        ...this.outbox(events),
      ]);
      return true;
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  async registrationsOfMember(memberId: string): Promise<Registration[]> {
    const items = await this.query({ IndexName: MEMBER_VISITS_INDEX, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `EVENTREGS#${memberId}` } });
    return items.map((i) => strip<Registration>(i));
  }

  async registrationsByEmail(email: string): Promise<Registration[]> {
    const items = await this.query({ IndexName: MEMBER_VISITS_INDEX, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `EVENTREGEMAIL#${email}` } });
    return items.map((i) => strip<Registration>(i));
  }

  async anonymiseRegistration(r: Registration): Promise<void> {
    const guard = guardOf(r);
    await this.send([
      {
        Update: {
          TableName: this.tableName,
          Key: key.registration(r.eventId, r.id),
          UpdateExpression: 'REMOVE memberId, #n, email, organisationName, cancelKey, gsi1pk, gsi1sk SET anonymised = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':t': true },
        },
      },
      ...(guard ? [{ Delete: { TableName: this.tableName, Key: key.guard(r.eventId, guard) } }] : []),
    ]);
  }

  async wasNotified(k: string): Promise<boolean> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.notice(k), ConsistentRead: true }));
    return res.Item !== undefined;
  }

  async markNotified(k: string, at: string): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: key.notice(k), UpdateExpression: 'SET entity = :e, notifiedAt = :at', ExpressionAttributeValues: { ':e': 'notice', ':at': at } }));
  }
}
