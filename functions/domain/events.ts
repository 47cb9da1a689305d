import { randomUUID } from 'node:crypto';
import { catalog, parseDetail, type DetailType, type EventData } from '../../events/catalog.ts';
import type { EventMetadata } from '../../events/envelope.ts';

/** An event on its way out through the outbox: detail-type plus validated detail. */
export interface OutgoingEvent<K extends DetailType = DetailType> {
  detailType: K;
  detail: { metadata: EventMetadata; data: EventData<K> };
}

/** Builds a catalog event and validates it against its schema, so nothing invalid is ever published. */
export function buildEvent<K extends DetailType>(
  detailType: K,
  data: EventData<K>,
  ctx: { hubId: string; correlationId: string; now: Date },
): OutgoingEvent<K> {
  const detail = {
    metadata: {
      eventId: randomUUID(),
      eventType: detailType,
      schemaVersion: catalog[detailType].version,
      occurredAt: ctx.now.toISOString(),
      hubId: ctx.hubId,
      correlationId: ctx.correlationId,
    },
    data,
  };
  parseDetail(detailType, detail);
  return { detailType, detail };
}
