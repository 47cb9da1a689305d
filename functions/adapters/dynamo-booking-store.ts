import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotentReplay, UnitTaken, type AgencyPresence, type Booking, type BookingStore, type ErasureCancellation, type Hold } from '../domain/bookings.ts';
import type { OutgoingEvent } from '../domain/events.ts';
import { batches } from '../domain/privacy.ts';
import { cancellationCodes, withConflictRetry } from './dynamo-errors.ts';
import { MEMBER_VISITS_INDEX, scanNaming } from './dynamo-hub-store.ts';
import { outboxItem } from './outbox.ts';

/** The hub table's second index: bookings by day. */
export const BOOKINGS_BY_DAY_INDEX = 'gsi2';
/** The hub table's third index: confirmed bookings by resource, by start. */
export const BOOKINGS_BY_RESOURCE_INDEX = 'gsi3';
/** Idempotency keys are kept this long. */
const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;

const key = {
  booking: (id: string) => ({ pk: `BOOKING#${id}`, sk: 'BOOKING' }),
  hold: (h: Hold) => ({ pk: `${h.kind === 'pool' ? 'POOL' : 'SLOT'}#${h.resourceId}#${h.date}`, sk: h.unit }),
  idempotency: (k: string) => ({ pk: `IDEMPOTENCY#${k}`, sk: 'IDEMPOTENCY' }),
};

/** The key of the item a hold takes: hub events reserve rooms with the same items as bookings. */
export const holdKey = (h: Hold) => key.hold(h);

function strip(item: Record<string, unknown>): Booking {
  const { pk: _pk, sk: _sk, entity: _e, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _f, gsi3sk: _g, ...rest } = item;
  return rest as unknown as Booking;
}

/**
 * Bookings in the hub table. A booking holds one item per unit it takes: a slot item put only
 * if absent (rooms, desks), or a pool counter raised only while below the pool's count; the
 * booking, its holds, its idempotency key and its outbox event commit in one transaction, so
 * two requests can never both get the last unit.
 */
export class DynamoBookingStore implements BookingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private take(h: Hold, bookingId: string) {
    if (h.kind === 'slot') {
      return { Put: { TableName: this.tableName, Item: { ...key.hold(h), entity: 'slot', bookingId }, ConditionExpression: 'attribute_not_exists(pk)' } };
    }
    return {
      Update: {
        TableName: this.tableName,
        Key: key.hold(h),
        UpdateExpression: 'ADD booked :one SET entity = :e',
        ConditionExpression: 'attribute_not_exists(booked) OR booked < :count',
        ExpressionAttributeValues: { ':one': 1, ':count': h.count, ':e': 'pool' },
      },
    };
  }

  private release(h: Hold, bookingId: string) {
    if (h.kind === 'slot') {
      return { Delete: { TableName: this.tableName, Key: key.hold(h), ConditionExpression: 'bookingId = :id', ExpressionAttributeValues: { ':id': bookingId } } };
    }
    return { Update: { TableName: this.tableName, Key: key.hold(h), UpdateExpression: 'ADD booked :minus', ConditionExpression: 'booked > :zero', ExpressionAttributeValues: { ':minus': -1, ':zero': 0 } } };
  }

  async createBooking(booking: Booking, holds: Hold[], events: OutgoingEvent[], idempotency?: { key: string; requestHash: string }): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const items = [
      ...(idempotency
        ? [{ Put: { TableName: this.tableName, Item: { ...key.idempotency(idempotency.key), entity: 'idempotency', bookingId: booking.id, requestHash: idempotency.requestHash, expiresAt: now + IDEMPOTENCY_TTL_SECONDS }, ConditionExpression: 'attribute_not_exists(pk)' } }]
        : []),
      ...holds.map((h) => this.take(h, booking.id)),
      {
        Put: {
          TableName: this.tableName,
          Item: { ...key.booking(booking.id), entity: 'booking', gsi1pk: `MEMBERBOOKINGS#${booking.memberId}`, gsi1sk: new Date(booking.end).toISOString(), gsi2pk: `BOOKINGDAY#${booking.localDate}`, gsi2sk: `${new Date(booking.start).toISOString()}#${booking.id}`, gsi3pk: `RESOURCEBOOKINGS#${booking.resourceId}`, gsi3sk: `${new Date(booking.start).toISOString()}#${booking.id}`, ...booking },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
    ];
    try {
      // Many requests for the last unit conflict with each other; each retries until it either
      // commits or is refused by a condition.
      await withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: items as never })), 25);
    } catch (e) {
      const codes = cancellationCodes(e);
      if (!codes) throw e;
      const offset = idempotency ? 1 : 0;
      if (idempotency && codes[0] === 'ConditionalCheckFailed') throw new IdempotentReplay();
      const taken = holds.find((_, i) => codes[offset + i] === 'ConditionalCheckFailed');
      if (taken) throw new UnitTaken(taken.unit);
      throw e;
    }
  }

  async getBooking(id: string): Promise<Booking | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.booking(id), ConsistentRead: true }));
    return res.Item ? strip(res.Item) : undefined;
  }

  async cancelBooking(booking: Booking, holds: Hold[], cancelledAt: string, events: OutgoingEvent[], as: 'cancelled' | 'released' = 'cancelled'): Promise<boolean> {
    try {
      await withConflictRetry(
        () =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: this.tableName,
                    Key: key.booking(booking.id),
                    UpdateExpression: `SET #s = :status, ${as === 'released' ? 'releasedAt' : 'cancelledAt'} = :at REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk`,
                    // A no-show release must not hit a booking someone checked in for meanwhile.
                    ConditionExpression: as === 'released' ? '#s = :confirmed AND attribute_not_exists(checkedInAt)' : '#s = :confirmed',
                    ExpressionAttributeNames: { '#s': 'status' },
                    ExpressionAttributeValues: { ':status': as, ':confirmed': 'confirmed', ':at': cancelledAt },
                  },
                },
                ...holds.map((h) => this.release(h, booking.id)),
                ...events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
              ] as never,
            }),
          ),
        25,
      );
      return true;
    } catch (e) {
      if (cancellationCodes(e)?.[0] === 'ConditionalCheckFailed') return false;
      throw e;
    }
  }

  async markCheckedIn(bookingId: string, visit: { id: string; checkedInAt: string }): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key.booking(bookingId),
          UpdateExpression: 'SET checkedInAt = :at, visitId = :v',
          ConditionExpression: '#s = :confirmed AND attribute_not_exists(checkedInAt)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':at': visit.checkedInAt, ':v': visit.id, ':confirmed': 'confirmed' },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
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

  async bookingsOn(date: string): Promise<Booking[]> {
    return (await this.query({ IndexName: BOOKINGS_BY_DAY_INDEX, KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': `BOOKINGDAY#${date}` } })).map(strip);
  }

  async activeBookingsOf(memberId: string, afterIso: string): Promise<Booking[]> {
    const items = await this.query({
      IndexName: MEMBER_VISITS_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :after',
      ExpressionAttributeValues: { ':pk': `MEMBERBOOKINGS#${memberId}`, ':after': afterIso },
    });
    return items.map(strip).filter((b) => b.status === 'confirmed' && Date.parse(b.end) > Date.parse(afterIso));
  }

  async bookingsOfResource(resourceId: string, fromIso: string, toIso: string): Promise<Booking[]> {
    const items = await this.query({
      IndexName: BOOKINGS_BY_RESOURCE_INDEX,
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `RESOURCEBOOKINGS#${resourceId}`, ':from': fromIso, ':to': `${toIso}~` },
    });
    return items.map(strip).filter((b) => b.status === 'confirmed');
  }

  async unitsOf(resourceId: string, date: string): Promise<Map<string, string | number>> {
    const units = new Map<string, string | number>();
    for (const prefix of ['SLOT', 'POOL']) {
      const items = await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${prefix}#${resourceId}#${date}` }, ConsistentRead: true });
      for (const i of items) units.set(String(i.sk), prefix === 'POOL' ? Number(i.booked ?? 0) : String(i.bookingId));
    }
    return units;
  }

  async saveAgencyPresence(presence: AgencyPresence, events: OutgoingEvent[]): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { pk: 'AGENCYPRESENCE', sk: presence.id, entity: 'agency-presence', ...presence }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
        ],
      }),
    );
  }

  async agencyPresence(): Promise<AgencyPresence[]> {
    const items = await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'AGENCYPRESENCE' } });
    return items.map(({ pk: _pk, sk: _sk, entity: _e, ...p }) => p as unknown as AgencyPresence);
  }

  async bookingsNaming(memberId: string): Promise<Booking[]> {
    return (await scanNaming(this.db, this.tableName, memberId)).filter((i) => i.entity === 'booking').map(strip);
  }

  async cancelForErasure(cancellations: ErasureCancellation[], cancelledAt: string): Promise<void> {
    const items = (c: ErasureCancellation) => [
      {
        Update: {
          TableName: this.tableName,
          Key: key.booking(c.booking.id),
          UpdateExpression: 'SET #s = :cancelled, cancelledAt = :at, anonymised = :t REMOVE memberId, gsi1pk, gsi1sk, gsi3pk, gsi3sk',
          ConditionExpression: '#s = :confirmed',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':confirmed': 'confirmed', ':at': cancelledAt, ':t': true },
        },
      },
      ...c.holds.map((h) => this.release(h, c.booking.id)),
      ...c.events.map((e) => ({ Put: { TableName: this.tableName, Item: outboxItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
    ];
    for (const batch of batches(cancellations, (c) => items(c).length)) {
      const send = (list: ErasureCancellation[]) => withConflictRetry(() => this.db.send(new TransactWriteCommand({ TransactItems: list.flatMap(items) as never })), 25);
      try {
        await send(batch);
      } catch (e) {
        if (!cancellationCodes(e)?.includes('ConditionalCheckFailed')) throw e;
        // A booking of the batch was cancelled or released meanwhile: one by one, skipping those.
        for (const c of batch) {
          try {
            await send([c]);
          } catch (err) {
            if (!cancellationCodes(err)?.includes('ConditionalCheckFailed')) throw err;
          }
        }
      }
    }
  }

  async anonymiseBookings(bookingIds: string[]): Promise<void> {
    for (const batch of batches(bookingIds, () => 1)) {
      await withConflictRetry(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: batch.map((id) => ({
              Update: {
                TableName: this.tableName,
                Key: key.booking(id),
                UpdateExpression: 'SET anonymised = :t REMOVE memberId, gsi1pk, gsi1sk',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':t': true },
              },
            })) as never,
          }),
        ),
      );
    }
  }

  async forgetIdempotencyKeys(memberId: string): Promise<void> {
    for (const item of await scanNaming(this.db, this.tableName, memberId)) {
      if (item.entity === 'idempotency') await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
  }

  async idempotencyRecord(k: string): Promise<{ bookingId: string; requestHash: string } | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key.idempotency(k), ConsistentRead: true }));
    return res.Item ? { bookingId: String(res.Item.bookingId), requestHash: String(res.Item.requestHash) } : undefined;
  }
}
