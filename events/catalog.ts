import { z } from 'zod';
import { HubId } from '../hubs/schema.ts';
import { IsoDateTime, defineEvent, detailSchema, type EventDefinition, type EventMetadata } from './envelope.ts';

/** Organisation types on the wire. */
export const OrganisationType = z.enum(['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university', 'business', 'other']);
/** An SCB municipality code (kommunkod), e.g. `2480` for Umeå; the API checks it against hubs/municipalities.ts. */
export const MunicipalityCode = z.string().regex(/^\d{4}$/);

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
  version: 2,
  description: 'A member was registered at a hub (no personal data: ids, organisation and membership only). v2 adds the employer municipality code.',
  data: z
    .object({
      memberId: z.string(),
      organisationId: z.string(),
      organisationType: OrganisationType,
      membership: Membership,
      employerLocation: z.string().optional(),
      remoteWorker: z.boolean().optional(),
      /** v2: the employer's municipality, SCB code. */
      employerMunicipality: MunicipalityCode.optional(),
    })
    .strict(),
});

/** A member was checked in at a hub. */
export const CheckedIn = defineEvent({
  detailType: 'CheckedIn',
  version: 2,
  description: "A member was checked in at a hub; opens a visit. v2 adds the member's employer municipality code.",
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
      /** v2: the member's employer municipality, SCB code (remote public workers in national reports). */
      employerMunicipality: MunicipalityCode.optional(),
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

/** A booking was cancelled; its slot is free again. */
export const BookingCancelled = defineEvent({
  detailType: 'BookingCancelled',
  version: 1,
  description: 'A booking was cancelled and its slot freed.',
  data: z.object({ ...EndedBooking, cancelledAt: IsoDateTime }).strict(),
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
  return detailSchema(def).parse(detail) as { metadata: EventMetadata; data: EventData<K> };
}

/** The JSON Schema (draft 2020-12) of every catalog event's `detail`, generated from zod. */
export function catalogJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(catalog).map((def) => [
      `${def.detailType}.v${def.version}`,
      { title: def.detailType, description: def.description, ...z.toJSONSchema(detailSchema(def as EventDefinition), { io: 'input' }) },
    ]),
  );
}
