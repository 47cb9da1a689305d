import { createHash } from 'node:crypto';
import * as z from 'zod';
import { EventMetadata } from '../../events/envelope.ts';
import { catalog, type DetailType, type EventData } from '../../events/catalog.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { localDate } from '../domain/time.ts';

/**
 * The national projection stores facts, not counters. Each event becomes a few fact
 * operations that are idempotent and commute: setting a named fact on a hub-day (a visit's
 * check-in half, its check-out half, a booking, its cancellation), lowering a first-sighting
 * date, or forgetting a person. The same operations drive the in-memory projection (tests,
 * rebuild) and the DynamoDB one, and the measures are computed from the facts when a report
 * is read, so delivery order and duplicates cannot change a number.
 */

/** Check-in half of a visit. `v` is the visitor's pseudonym (never the member id). */
export interface VisitIn {
  v: string;
  org: string;
  type: string;
  ms: string;
  at: string;
  /** Employer municipality code (SCB), when the event carried one. */
  mun?: string;
  /** Remote worker as registered (v1 members), when known. */
  rw?: boolean;
}
/** Check-out half of a visit. */
export interface VisitOut {
  v: string;
  org: string;
  at: string;
  out: string;
  min: number;
}
/** A booking as created. */
export interface BookingFact {
  res: string;
  rt: string;
  org: string;
  start: string;
  end: string;
}
/** The end of a booking: cancelled or released as a no-show. */
export interface BookingEnd {
  start: string;
  end: string;
}
/** A member registered at the hub on this day (no person: organisation type and membership). */
export interface Registration {
  type: string;
  ms: string;
}
/** A weekly agency presence schedule. */
export interface PresenceFact {
  org: string;
  type: string;
  weekday: string;
  from: string;
  to: string;
  firstDate: string;
  until: string;
}

/**
 * The state of a published hub event at one version (`HubEventScheduled`/`Updated`); the
 * reader takes the highest version, so an update delivered before the scheduling is harmless.
 */
export interface HubEventState {
  kind: string;
  date: string;
  start: string;
  end: string;
  capacity: number;
}
/** A registration as created (no person: only whether from a business and from outside the hub). */
export interface EventRegistrationFact {
  status: 'confirmed' | 'waitlisted';
  business: boolean;
  outside: boolean;
  walkIn: boolean;
}
/** A registration that attended. */
export interface EventAttendanceFact {
  business: boolean;
  outside: boolean;
  how: string;
}

/**
 * Attribute prefixes of the facts of one hub event (one item per event, not per day:
 * registration events do not carry the event's date, which may arrive later).
 */
export const E = { state: 'ev:', cancelled: 'ex', registered: 'er:', regCancelled: 'ec:', promoted: 'ep:', attended: 'ea:' } as const;

/** The state attribute of a version: zero-padded, so the highest sorts last. */
export const stateAttr = (version: number) => `${E.state}${String(version).padStart(6, '0')}`;

/** Attribute prefixes of the facts of one hub-day. */
export const P = { in: 'in:', out: 'out:', booking: 'bk:', cancelled: 'bc:', noShow: 'bn:', registration: 'rg:', firstOrg: 'fo:', firstVisitor: 'fv:' } as const;

/**
 * How many items a hub-day's facts are spread over in the DynamoDB projection (a DynamoDB item
 * holds at most 400 KB: one item held some 1,400 visits). Changing it changes the key layout:
 * a new projection version (docs/reporting.md, "Shards").
 */
export const SHARDS = 16;

/**
 * The shard of a hub-day that holds a fact: a hash (FNV-1a) of the fact's attribute name, as one
 * hex digit. A fact keeps its shard for ever (an erasure rewrites it in place), and a first-sighting
 * marker (`fv:<visitor>`, `fo:<organisationId>`) has the same shard on every day it moves to.
 */
export function shardOf(attr: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < attr.length; i++) {
    h ^= attr.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % SHARDS).toString(16);
}

/** One fact operation. */
export type FactOp =
  | { op: 'set'; hubId: string; date: string; attr: string; value: unknown; visitor?: string }
  | { op: 'orgFirst'; orgId: string; hubId: string; date: string }
  | { op: 'visitorFirst'; hubId: string; visitor: string; date: string }
  | { op: 'presence'; hubId: string; presenceId: string; value: PresenceFact }
  | { op: 'erase'; visitor: string }
  | { op: 'event'; hubId: string; eventId: string; attr: string; value: unknown };

/** The detail-types the projection consumes. Adding one is one entry here and one case in `factOps`. */
export const CONSUMED = ['CheckedIn', 'CheckedOut', 'BookingCreated', 'BookingCancelled', 'BookingNoShowReleased', 'MemberRegistered', 'MemberErased', 'AgencyPresenceScheduled', 'HubEventScheduled', 'HubEventUpdated', 'HubEventCancelled', 'EventRegistrationCreated', 'EventRegistrationCancelled', 'EventWaitlistPromoted', 'EventAttended'] as const satisfies readonly DetailType[];
export type Consumed = (typeof CONSUMED)[number];

/**
 * The visitor's pseudonym: a hash of the member id, which is itself random. The projection
 * keeps nothing else about a person, and on `MemberErased` replaces it by a random token.
 */
export function pseudonym(memberId: string): string {
  return `v${createHash('sha256').update(`samverkan-reporting:${memberId}`).digest('hex').slice(0, 20)}`;
}

const schemas = new Map<string, z.ZodType>();

/**
 * Parses a catalog event of any published version. A later version only adds optional
 * fields (test/unit/event-compat.test.ts), so an older detail parses under the current schema
 * once its version is accepted: the archive replays old versions into new projections.
 */
export function parseAnyVersion<K extends Consumed>(detailType: K, detail: unknown) {
  let schema = schemas.get(detailType);
  if (!schema) {
    const def = catalog[detailType];
    schema = z
      .object({
        metadata: EventMetadata.extend({ eventType: z.literal(detailType), schemaVersion: z.number().int().min(1).max(def.version) }),
        data: def.data,
      })
      .strict();
    schemas.set(detailType, schema);
  }
  return schema.parse(detail) as unknown as { metadata: EventMetadata; data: EventData<K> };
}

/** Turns one event into fact operations. `hubs` gives each hub's timezone. */
export function factOps(detailType: string, detail: unknown, hubs: ReadonlyMap<string, HubConfig>): FactOp[] {
  const tz = (hubId: string) => hubs.get(hubId)?.timezone ?? 'Europe/Stockholm';
  switch (detailType) {
    case 'CheckedIn': {
      const { data: d } = parseAnyVersion('CheckedIn', detail);
      const v = pseudonym(d.memberId);
      const ext = d as typeof d & { employerMunicipality?: string };
      const fact: VisitIn = { v, org: d.organisationId, type: d.organisationType, ms: d.membership, at: d.checkedInAt, ...(ext.employerMunicipality ? { mun: ext.employerMunicipality } : {}) };
      return [
        { op: 'set', hubId: d.hubId, date: d.localDate, attr: `${P.in}${d.visitId}`, value: fact, visitor: v },
        { op: 'orgFirst', orgId: d.organisationId, hubId: d.hubId, date: d.localDate },
        { op: 'visitorFirst', hubId: d.hubId, visitor: v, date: d.localDate },
      ];
    }
    case 'CheckedOut': {
      const { data: d } = parseAnyVersion('CheckedOut', detail);
      const v = pseudonym(d.memberId);
      const fact: VisitOut = { v, org: d.organisationId, at: d.checkedInAt, out: d.checkedOutAt, min: d.durationMinutes };
      return [
        { op: 'set', hubId: d.hubId, date: d.localDate, attr: `${P.out}${d.visitId}`, value: fact, visitor: v },
        { op: 'orgFirst', orgId: d.organisationId, hubId: d.hubId, date: d.localDate },
        { op: 'visitorFirst', hubId: d.hubId, visitor: v, date: d.localDate },
      ];
    }
    case 'BookingCreated': {
      const { data: d } = parseAnyVersion('BookingCreated', detail);
      const fact: BookingFact = { res: d.resourceId, rt: d.resourceType, org: d.organisationId, start: d.start, end: d.end };
      return [{ op: 'set', hubId: d.hubId, date: d.localDate, attr: `${P.booking}${d.bookingId}`, value: fact }];
    }
    case 'BookingCancelled':
    case 'BookingNoShowReleased': {
      const { data: d } = parseAnyVersion(detailType, detail);
      const date = localDate(new Date(d.start), tz(d.hubId));
      const prefix = detailType === 'BookingCancelled' ? P.cancelled : P.noShow;
      return [{ op: 'set', hubId: d.hubId, date, attr: `${prefix}${d.bookingId}`, value: { start: d.start, end: d.end } satisfies BookingEnd }];
    }
    case 'MemberRegistered': {
      const { metadata: m, data: d } = parseAnyVersion('MemberRegistered', detail);
      const date = localDate(new Date(m.occurredAt), tz(m.hubId));
      return [{ op: 'set', hubId: m.hubId, date, attr: `${P.registration}${m.eventId}`, value: { type: d.organisationType, ms: d.membership } satisfies Registration }];
    }
    case 'MemberErased': {
      const { data: d } = parseAnyVersion('MemberErased', detail);
      return [{ op: 'erase', visitor: pseudonym(d.memberId) }];
    }
    case 'AgencyPresenceScheduled': {
      const { data: d } = parseAnyVersion('AgencyPresenceScheduled', detail);
      return [{ op: 'presence', hubId: d.hubId, presenceId: d.presenceId, value: { org: d.organisationId, type: d.organisationType, weekday: d.weekday, from: d.from, to: d.to, firstDate: d.firstDate, until: d.until } }];
    }
    case 'HubEventScheduled':
    case 'HubEventUpdated': {
      const { data: d } = parseAnyVersion(detailType, detail);
      const value: HubEventState = { kind: d.kind, date: d.localDate, start: d.start, end: d.end, capacity: d.capacity };
      return [{ op: 'event', hubId: d.hubId, eventId: d.eventId, attr: stateAttr(d.version), value }];
    }
    case 'HubEventCancelled': {
      const { data: d } = parseAnyVersion('HubEventCancelled', detail);
      return [{ op: 'event', hubId: d.hubId, eventId: d.eventId, attr: E.cancelled, value: { kind: d.kind, date: d.localDate, start: d.start, end: d.end } }];
    }
    case 'EventRegistrationCreated': {
      const { data: d } = parseAnyVersion('EventRegistrationCreated', detail);
      const value: EventRegistrationFact = { status: d.status, business: d.business, outside: d.fromOutsideHub, walkIn: d.walkIn };
      return [{ op: 'event', hubId: d.hubId, eventId: d.eventId, attr: `${E.registered}${d.registrationId}`, value }];
    }
    case 'EventRegistrationCancelled': {
      const { data: d } = parseAnyVersion('EventRegistrationCancelled', detail);
      return [{ op: 'event', hubId: d.hubId, eventId: d.eventId, attr: `${E.regCancelled}${d.registrationId}`, value: { previous: d.previousStatus } }];
    }
    case 'EventWaitlistPromoted': {
      const { data: d } = parseAnyVersion('EventWaitlistPromoted', detail);
      return [{ op: 'event', hubId: d.hubId, eventId: d.eventId, attr: `${E.promoted}${d.registrationId}`, value: true }];
    }
    case 'EventAttended': {
      const { data: d } = parseAnyVersion('EventAttended', detail);
      const value: EventAttendanceFact = { business: d.business, outside: d.fromOutsideHub, how: d.how };
      return [{ op: 'event', hubId: d.hubId, eventId: d.eventId, attr: `${E.attended}${d.registrationId}`, value }];
    }
    default:
      return [];
  }
}

/** The date and state of a hub event from its facts: the highest version, or the cancellation; undefined while only registrations are known. */
export function eventState(facts: DayFacts): { state: Pick<HubEventState, 'kind' | 'date'>; cancelled: boolean } | undefined {
  const versions = Object.keys(facts)
    .filter((k) => k.startsWith(E.state))
    .sort();
  const latest = versions.length ? (facts[versions[versions.length - 1] as string] as HubEventState) : undefined;
  const cancelled = facts[E.cancelled] as Pick<HubEventState, 'kind' | 'date'> | undefined;
  // A cancellation is final and carries the date the event had when it was cancelled.
  const state = cancelled ?? latest;
  return state ? { state: { kind: state.kind, date: state.date }, cancelled: cancelled !== undefined } : undefined;
}

/** The facts of one hub-day, as stored: attribute name → fact. */
export type DayFacts = Record<string, unknown>;

/** Replaces a visitor pseudonym in the facts of a hub-day (erasure); returns the changed attributes. */
export function replaceVisitor(facts: DayFacts, from: string, to: string): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [attr, value] of Object.entries(facts)) {
    if ((attr.startsWith(P.in) || attr.startsWith(P.out)) && (value as { v?: string }).v === from) changed[attr] = { ...(value as object), v: to };
  }
  return changed;
}
