import * as z from 'zod';
import { HubId } from '../hubs/schema.ts';
import { ConsentScope, StudyId, SurveyInstrument } from '../studies/schema.ts';
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

/** Event kinds on the wire. */
export const HubEventKind = z.enum(['workshop', 'training', 'network-meeting', 'business-joint', 'agency-office-hours', 'other']);

/** What the network calendar and reporting know of a published hub event: public fields only. */
const PublishedHubEvent = {
  eventId: z.string(),
  hubId: HubId,
  /** Raised at every change of the event; consumers keep the highest (out-of-order delivery). */
  version: z.number().int().min(1),
  title: z.string(),
  titleEn: z.string().optional(),
  description: z.string().optional(),
  descriptionEn: z.string().optional(),
  kind: HubEventKind,
  facilitator: z.string().optional(),
  start: IsoDateTime,
  end: IsoDateTime,
  /** The hub-local date the event starts on. */
  localDate: z.iso.date(),
  capacity: z.number().int().min(1),
  resourceId: z.string().optional(),
  /** Open to people of the whole network (anyone from the public sector may register publicly). */
  openToNetwork: z.boolean(),
  /** Open to people from businesses. */
  openToBusiness: z.boolean(),
};

/** An event at a hub was published (a draft stays inside the hub). */
export const HubEventScheduled = defineEvent({
  detailType: 'HubEventScheduled',
  version: 1,
  description: 'A hub published an event (workshop, training, network meeting, …); carries its public fields.',
  data: z.object(PublishedHubEvent).strict(),
});

/** A published event was changed; carries the whole public state after the change. */
export const HubEventUpdated = defineEvent({
  detailType: 'HubEventUpdated',
  version: 1,
  description: 'A published hub event was changed; `changed` names the fields, the rest is the state after the change.',
  data: z.object({ ...PublishedHubEvent, changed: z.array(z.string()) }).strict(),
});

/** A published event was cancelled; its room is free and its registrants were told. */
export const HubEventCancelled = defineEvent({
  detailType: 'HubEventCancelled',
  version: 1,
  description: 'A published hub event was cancelled; its room is free again.',
  data: z
    .object({ eventId: z.string(), hubId: HubId, version: z.number().int().min(1), kind: HubEventKind, start: IsoDateTime, end: IsoDateTime, localDate: z.iso.date(), cancelledAt: IsoDateTime, registrations: z.number().int().min(0) })
    .strict(),
});

/**
 * Who registered, without identifying people outside the hub: a member of the hub by member id,
 * anyone else (public registration) by a pseudonymous registration id and organisation type only.
 */
const Registrant = {
  registrationId: z.string(),
  eventId: z.string(),
  hubId: HubId,
  kind: HubEventKind,
  /** `member`: a member of this hub; `public`: someone from outside the hub, registered on the public route. */
  registrant: z.enum(['member', 'public']),
  memberId: z.string().optional(),
  organisationId: z.string().optional(),
  organisationType: OrganisationType,
  /** From a business (organisation type business, or a business partner). */
  business: z.boolean(),
  /** Not a member of this hub: from another hub or outside the network. */
  fromOutsideHub: z.boolean(),
};

/** Someone registered for an event: confirmed, or waitlisted when it was full. */
export const EventRegistrationCreated = defineEvent({
  detailType: 'EventRegistrationCreated',
  version: 1,
  description: 'Someone registered for a hub event (confirmed, or waitlisted when full). No name or e-mail.',
  data: z.object({ ...Registrant, status: z.enum(['confirmed', 'waitlisted']), capacity: z.number().int().min(1), walkIn: z.boolean() }).strict(),
});

/** A registration was cancelled (by staff, by the registrant's private link, or with the event). */
export const EventRegistrationCancelled = defineEvent({
  detailType: 'EventRegistrationCancelled',
  version: 1,
  description: 'A registration for a hub event was cancelled; a confirmed seat goes to the first on the waitlist.',
  data: z.object({ ...Registrant, previousStatus: z.enum(['confirmed', 'waitlisted']), cancelledAt: IsoDateTime }).strict(),
});

/** The first on the waitlist got the seat someone gave back. */
export const EventWaitlistPromoted = defineEvent({
  detailType: 'EventWaitlistPromoted',
  version: 1,
  description: 'A waitlisted registration was confirmed because a seat became free (or the capacity was raised).',
  data: z.object({ ...Registrant, promotedAt: IsoDateTime }).strict(),
});

/** Someone attended an event: marked at the door, checked in during it, or walked in. */
export const EventAttended = defineEvent({
  detailType: 'EventAttended',
  version: 1,
  description: 'A registrant attended a hub event (marked at the door, checked in during the event, or a walk-in).',
  data: z.object({ ...Registrant, attendedAt: IsoDateTime, how: z.enum(['door', 'check-in', 'walk-in']) }).strict(),
});

/**
 * A member published (or changed) their profile in the network directory, with their consent.
 * The profile itself (name, role, competences, …) stays off the bus: it is written to the
 * network table in the request and removed from there on withdrawal; the bus archive, which
 * cannot be edited, keeps only who (member id), where, the organisation and which fields.
 */
export const DirectoryProfilePublished = defineEvent({
  detailType: 'DirectoryProfilePublished',
  version: 1,
  description: 'A member opted in to the network directory or changed their profile. No name, e-mail or profile text.',
  data: z
    .object({
      memberId: z.string(),
      hubId: HubId,
      organisationId: z.string(),
      organisationType: OrganisationType,
      /** The version of the consent text the member agreed to. */
      consentVersion: z.string(),
      /** True when an already published profile was changed. */
      changed: z.boolean(),
      /** Which optional fields the profile fills. */
      fields: z.array(z.enum(['role', 'competences', 'askMeAbout'])),
      publishedAt: IsoDateTime,
    })
    .strict(),
});

/**
 * A member gave or withdrew consent to one scope of one research study (at the desk, or on the
 * page of their private consent link). No name or e-mail; the research consumer pseudonymises
 * the member id per study (docs/research.md).
 */
export const MemberConsentChanged = defineEvent({
  detailType: 'MemberConsentChanged',
  version: 1,
  description: 'A member gave or withdrew consent to one scope of a research study; carries the version of the information text they saw.',
  data: z
    .object({
      memberId: z.string(),
      studyId: StudyId,
      scope: ConsentScope,
      state: z.enum(['given', 'withdrawn']),
      /** The version of the study's information text the member saw (`information.version`). */
      textVersion: z.string(),
      /** `desk`: recorded by staff; `link`: by the member on their consent page. */
      channel: z.enum(['desk', 'link']),
      changedAt: IsoDateTime,
    })
    .strict(),
});

/** A directory profile was removed: the member opted out, or was erased. */
export const DirectoryProfileWithdrawn = defineEvent({
  detailType: 'DirectoryProfileWithdrawn',
  version: 1,
  description: 'A member left the network directory (opt-out) or was erased; the profile is gone everywhere.',
  data: z.object({ memberId: z.string(), hubId: HubId, reason: z.enum(['opt-out', 'member-erased']), withdrawnAt: IsoDateTime }).strict(),
});

/** What led to a survey invitation: a visit that ended, or a hub event attended. */
export const SurveyTrigger = z.enum(['visit', 'event']);

/**
 * A consenting member was invited to answer a study's survey (an e-mail with a private link was
 * sent by the hub). No e-mail, name or link secret: the invitation id is not the link's token.
 */
export const SurveyInvited = defineEvent({
  detailType: 'SurveyInvited',
  version: 1,
  description: "A consenting member was invited (by e-mail, through the hub) to a research study's survey after a visit or an attended event.",
  data: z
    .object({
      invitationId: z.string(),
      memberId: z.string(),
      hubId: HubId,
      studyId: StudyId,
      instruments: z.array(SurveyInstrument).min(1),
      trigger: SurveyTrigger,
      /** The hub-local date of the visit or event that led to the invitation. */
      triggerDate: z.iso.date(),
      invitedAt: IsoDateTime,
      expiresAt: IsoDateTime,
    })
    .strict(),
});

/** One answer: a value on a scale or a count, or the options chosen of a multi-select item. */
export const SurveyAnswer = z
  .object({
    instrument: SurveyInstrument,
    item: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    value: z.number().int().optional(),
    choices: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/)).optional(),
  })
  .strict();

/**
 * A member answered a survey invitation. Carries the answers (numbers and option ids of the
 * study's instruments: never free text), the member id (pseudonymised by the research consumer)
 * and dates, no name or e-mail.
 */
export const SurveyAnswered = defineEvent({
  detailType: 'SurveyAnswered',
  version: 1,
  description: 'A member answered a survey invitation; carries the answers as item values and chosen options (no free text).',
  data: z
    .object({
      invitationId: z.string(),
      memberId: z.string(),
      hubId: HubId,
      studyId: StudyId,
      trigger: SurveyTrigger,
      triggerDate: z.iso.date(),
      /** The hub-local date of the answer. */
      answeredOn: z.iso.date(),
      answers: z.array(SurveyAnswer).min(1),
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
  HubEventScheduled,
  HubEventUpdated,
  HubEventCancelled,
  EventRegistrationCreated,
  EventRegistrationCancelled,
  EventWaitlistPromoted,
  EventAttended,
  DirectoryProfilePublished,
  DirectoryProfileWithdrawn,
  MemberConsentChanged,
  SurveyInvited,
  SurveyAnswered,
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
