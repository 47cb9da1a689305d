import * as z from 'zod';
import { HubId } from '../hubs/schema.ts';

/** ISO 8601 timestamp with an explicit offset, e.g. `2026-11-26T09:15:00+01:00` or `…Z`. */
export const IsoDateTime = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time with offset' });

/** The metadata every event carries in `detail.metadata`. */
export const EventMetadata = z
  .object({
    eventId: z.uuid(),
    /** The detail-type repeated, so that a stored detail tells what it is without its envelope. */
    eventType: z.string().regex(/^[A-Z][A-Za-z]+$/),
    schemaVersion: z.number().int().min(1),
    occurredAt: IsoDateTime,
    hubId: HubId,
    correlationId: z.string().min(1).max(128),
  })
  .strict();
export type EventMetadata = z.infer<typeof EventMetadata>;

/** The EventBridge `source` of a hub: `samverkan.hub.<hubId>`. */
export const hubSource = (hubId: string) => `samverkan.hub.${hubId}`;

/** One versioned event of the catalog: its detail-type, its version and the zod schema of `detail.data`. */
export interface EventDefinition<T extends z.ZodType = z.ZodType> {
  detailType: string;
  version: number;
  description: string;
  data: T;
}

/** Declares a catalog event. */
export function defineEvent<T extends z.ZodType>(def: EventDefinition<T>): EventDefinition<T> {
  return def;
}

/** The zod schema of a whole `detail` (metadata + data) for one event. */
export function detailSchema<T extends z.ZodType>(def: EventDefinition<T>) {
  return z
    .object({
      metadata: EventMetadata.extend({ eventType: z.literal(def.detailType), schemaVersion: z.literal(def.version) }),
      data: def.data,
    })
    .strict();
}

/** A typed event detail. */
export type EventDetail<T extends z.ZodType = z.ZodType> = { metadata: EventMetadata; data: z.infer<T> };

/** An EventBridge event as a consumer receives it. */
export const EventBridgeEnvelope = z.object({
  id: z.string(),
  source: z.string(),
  'detail-type': z.string(),
  time: z.string(),
  account: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.object({ metadata: EventMetadata, data: z.unknown() }),
});
