import type { OutgoingEvent } from '../domain/events.ts';

/** How long outbox items stay in the table after their event was written (TTL). */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;
/** The `entity` attribute value that the outbox pipe filters on. */
export const OUTBOX_ENTITY = 'outbox';

/** The table item that carries one event through the stream to the bus. */
export function outboxItem(event: OutgoingEvent, now = new Date()) {
  return {
    pk: `OUTBOX#${event.detail.metadata.eventId}`,
    sk: 'OUTBOX',
    entity: OUTBOX_ENTITY,
    detailType: event.detailType,
    detail: event.detail,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}
