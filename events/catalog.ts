import { z } from 'zod';
import { HubId } from '../hubs/schema.ts';
import { IsoDateTime, defineEvent, detailSchema, type EventDefinition, type EventMetadata } from './envelope.ts';

/** Organisation types on the wire. */
export const OrganisationType = z.enum(['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university', 'business', 'other']);
/** Membership kinds on the wire. */
export const Membership = z.enum(['member', 'guest', 'business-partner']);

/** An organisation was registered at a hub. */
export const OrganisationRegistered = defineEvent({
  detailType: 'OrganisationRegistered',
  version: 1,
  description: 'An organisation was registered at a hub.',
  data: z
    .object({
      organisationId: z.string(),
      name: z.string(),
      type: OrganisationType,
      orgNumber: z.string().optional(),
      homeMunicipality: z.string().optional(),
    })
    .strict(),
});

/**
 * A member was registered. Carries no name or e-mail: events feed research and national
 * reporting, which must not identify people (DESIGN.md, Privacy).
 */
export const MemberRegistered = defineEvent({
  detailType: 'MemberRegistered',
  version: 1,
  description: 'A member was registered at a hub (no personal data: ids, organisation and membership only).',
  data: z
    .object({
      memberId: z.string(),
      organisationId: z.string(),
      organisationType: OrganisationType,
      membership: Membership,
      employerLocation: z.string().optional(),
      remoteWorker: z.boolean().optional(),
    })
    .strict(),
});

/** A member was checked in at a hub. */
export const CheckedIn = defineEvent({
  detailType: 'CheckedIn',
  version: 1,
  description: 'A member was checked in at a hub; opens a visit.',
  data: z
    .object({
      visitId: z.string(),
      memberId: z.string(),
      organisationId: z.string(),
      organisationType: OrganisationType,
      membership: Membership,
      hubId: HubId,
      checkedInAt: IsoDateTime,
      /** The hub-local date of the visit (Europe/Stockholm), YYYY-MM-DD. */
      localDate: z.iso.date(),
    })
    .strict(),
});

/** A visit ended: checked out by staff, or closed automatically at closing time. */
export const CheckedOut = defineEvent({
  detailType: 'CheckedOut',
  version: 1,
  description: 'A visit ended; carries its duration. `autoClosed` is true when the closing-time job ended it.',
  data: z
    .object({
      visitId: z.string(),
      memberId: z.string(),
      organisationId: z.string(),
      hubId: HubId,
      checkedInAt: IsoDateTime,
      checkedOutAt: IsoDateTime,
      durationMinutes: z.number().int().min(0),
      localDate: z.iso.date(),
      autoClosed: z.boolean(),
    })
    .strict(),
});

/**
 * A member was erased (GDPR Art. 17). Every consumer that holds anything about the member
 * must forget it; counts without the member stay.
 */
export const MemberErased = defineEvent({
  detailType: 'MemberErased',
  version: 1,
  description: 'A member was erased at their request; every consumer forgets them.',
  data: z.object({ memberId: z.string(), erasedAt: IsoDateTime }).strict(),
});

/** Resource types on the wire. */
export const ResourceType = z.enum(['desk', 'desk-pool', 'room', 'event-space']);

/** A desk, room or event space was booked. */
export const BookingCreated = defineEvent({
  detailType: 'BookingCreated',
  version: 1,
  description: 'A resource was booked for a member.',
  data: z
    .object({
      bookingId: z.string(),
      resourceId: z.string(),
      resourceType: ResourceType,
      memberId: z.string(),
      organisationId: z.string(),
      hubId: HubId,
      start: IsoDateTime,
      end: IsoDateTime,
      localDate: z.iso.date(),
    })
    .strict(),
});

/** The fields that name a booking in the events that end one. */
const EndedBooking = {
  bookingId: z.string(),
  resourceId: z.string(),
  memberId: z.string(),
  hubId: HubId,
  start: IsoDateTime,
  end: IsoDateTime,
};

/** Why a booking was cancelled: by staff on request, or because its member was erased (GDPR Art. 17). */
export const CancellationReason = z.enum(['staff', 'member-erased']);

/**
 * A booking was cancelled; its slot is free again. v2 adds the optional `reason` (v1 is frozen
 * in events/baseline/; a v1 detail is still a valid v2 detail).
 */
export const BookingCancelled = defineEvent({
  detailType: 'BookingCancelled',
  version: 2,
  description: 'A booking was cancelled and its slot freed; `reason` says why (`member-erased`: the erasure of its member cancelled it).',
  data: z.object({ ...EndedBooking, cancelledAt: IsoDateTime, reason: CancellationReason.optional() }).strict(),
});

/** A booking nobody checked in for within the grace period was released; its slot is free. */
export const BookingNoShowReleased = defineEvent({
  detailType: 'BookingNoShowReleased',
  version: 1,
  description: 'A booking was released because nobody checked in within the grace period after its start.',
  data: z.object({ ...EndedBooking, releasedAt: IsoDateTime }).strict(),
});

/** An organisation (typically a state agency) scheduled recurring presence at a hub (myndighetsnärvaro). */
export const AgencyPresenceScheduled = defineEvent({
  detailType: 'AgencyPresenceScheduled',
  version: 1,
  description: 'An organisation scheduled weekly presence at a hub, e.g. Arbetsförmedlingen in Boden on Tuesdays 9–12.',
  data: z
    .object({
      presenceId: z.string(),
      organisationId: z.string(),
      organisationType: OrganisationType,
      hubId: HubId,
      resourceId: z.string(),
      weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']),
      from: z.string().regex(/^\d{2}:\d{2}$/),
      to: z.string().regex(/^\d{2}:\d{2}$/),
      firstDate: z.iso.date(),
      until: z.iso.date(),
      occurrences: z.number().int().min(0),
    })
    .strict(),
});

/** Every event of the catalog, by detail-type. */
export const catalog = {
  OrganisationRegistered,
  MemberRegistered,
  CheckedIn,
  CheckedOut,
  MemberErased,
  BookingCreated,
  BookingCancelled,
  BookingNoShowReleased,
  AgencyPresenceScheduled,
} satisfies Record<string, EventDefinition>;

export type DetailType = keyof typeof catalog;
/** The `data` of one catalog event. */
export type EventData<K extends DetailType> = z.infer<(typeof catalog)[K]['data']>;

/** Validates a `detail` against the catalog schema of its detail-type. */
export function parseDetail<K extends DetailType>(detailType: K, detail: unknown): { metadata: EventMetadata; data: EventData<K> } {
  const def: EventDefinition | undefined = catalog[detailType];
  if (!def) throw new Error(`Unknown detail-type "${String(detailType)}"`);
  // An earlier version's detail (written before an upgrade, or replayed from the archive) is
  // read with the current schema: versions only add optional fields (event-compat test).
  const version = (detail as { metadata?: { schemaVersion?: unknown } } | null)?.metadata?.schemaVersion;
  const schema = typeof version === 'number' && Number.isInteger(version) && version >= 1 && version < def.version ? detailSchema({ ...def, version }) : detailSchema(def);
  return schema.parse(detail) as { metadata: EventMetadata; data: EventData<K> };
}

/** The JSON Schema (draft 2020-12) of one event version's `detail`, generated from zod. */
export function eventJsonSchema(def: EventDefinition): Record<string, unknown> {
  return { title: def.detailType, description: def.description, ...z.toJSONSchema(detailSchema(def), { io: 'input' }) };
}

/** The JSON Schema (draft 2020-12) of every catalog event's `detail`, by `<Type>.v<N>`. */
export function catalogJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(Object.values(catalog).map((def) => [`${def.detailType}.v${def.version}`, eventJsonSchema(def as EventDefinition)]));
}
