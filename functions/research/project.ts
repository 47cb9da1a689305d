/**
 * The research projection: turns the network's events into the rows of each active study's
 * datasets, about participating members only, under the study's pseudonym. The core knows
 * nothing of AWS: keys, state and the sink (a Firehose delivery stream per study and table)
 * are ports.
 */
import { createHmac } from 'node:crypto';
import type { DetailType, EventData } from '../../events/catalog.ts';
import type { EventMetadata } from '../../events/envelope.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { type ConsentScope, type StudyConfig, followsHub, isActive } from '../../studies/schema.ts';
import { type ConsentState, participates } from '../consent/consent.ts';
import { localDate } from '../domain/time.ts';
import { PUBLIC_TYPES, sectorOf } from '../reporting/measures.ts';
import { ROW_SCHEMAS, TABLE_OF_DATASET, type Row, type TableName } from './rows.ts';

/** The events the research consumer takes from the national bus. */
export const RESEARCH_CONSUMED = [
  'CheckedIn',
  'CheckedOut',
  'BookingCreated',
  'BookingCancelled',
  'BookingNoShowReleased',
  'EventRegistrationCreated',
  'EventRegistrationCancelled',
  'EventAttended',
  'MemberConsentChanged',
  'MemberErased',
  'SurveyInvited',
  'SurveyAnswered',
] as const satisfies readonly DetailType[];
export type ResearchEvent = (typeof RESEARCH_CONSUMED)[number];

/** The secret key of each study (never given to researchers). */
export interface StudyKeys {
  keyFor(studyId: string): Promise<Buffer>;
}

/** Where rows go: one delivery stream per study and table. */
export interface RowSink {
  put(studyId: string, table: TableName, rows: object[]): Promise<void>;
}

/** What the consumer keeps of a check-in until the visit ends (no member id). */
export interface VisitFacts {
  organisationId: string;
  organisationType: string;
  membership: string;
  employerMunicipality?: string;
  checkedInAt: string;
}

/** A participating person present at a hub on a day (co-presence). */
export interface DayEntry {
  person: string;
  organisation: string;
  organisationType: string;
}

/** A person's consent states in a study, per scope, with the time of the change. */
export type ConsentStates = Partial<Record<ConsentScope, { state: ConsentState; changedAt: string }>>;

/** The consumer's own state, in a table of its own: people only by pseudonym. */
export interface ResearchState {
  processed(eventId: string): Promise<boolean>;
  markProcessed(eventId: string): Promise<void>;
  consentOf(studyId: string, person: string): Promise<ConsentStates>;
  /** Records a consent state unless a later change of the scope is recorded already. */
  setConsent(studyId: string, person: string, scope: ConsentScope, state: ConsentState, changedAt: string): Promise<void>;
  /** Forgets every consent state of the person (erasure). */
  forgetPerson(studyId: string, person: string): Promise<void>;
  putVisit(visitId: string, facts: VisitFacts): Promise<void>;
  getVisit(visitId: string): Promise<VisitFacts | undefined>;
  /** Adds the person to who was in the hub that day (for the study); returns the others. */
  joinDay(studyId: string, hubId: string, date: string, entry: DayEntry): Promise<DayEntry[]>;
  /** True the first time the pair is claimed in the week. */
  claimPair(studyId: string, week: string, a: string, b: string): Promise<boolean>;
}

/** A keyed hash, hex. */
export const keyedHash = (key: Buffer, value: string) => createHmac('sha256', key).update(value).digest('hex');
/** A study's pseudonym of a member: `HMAC-SHA256(study key, member id)`. */
export const pseudonym = (key: Buffer, memberId: string) => keyedHash(key, memberId);

/** The hub-local time band of an instant. */
export function timeBand(iso: string, timeZone: string): Row<'visits'>['time_band'] {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(iso)));
  if (hour < 9) return 'before-09';
  if (hour < 12) return '09-12';
  if (hour < 15) return '12-15';
  if (hour < 18) return '15-18';
  return 'after-18';
}

/** Minutes rounded to the nearest 15. */
export const quarterHours = (minutes: number) => Math.round(minutes / 15) * 15;

/** The ISO week of a date, `YYYY-Www`. */
export function isoWeek(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - day + 3); // the week's Thursday
  const year = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(year, 0, 1, 12)) / 604_800_000);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);

function remoteWorker(hub: HubConfig, facts: VisitFacts | undefined): boolean | null {
  if (!facts || !PUBLIC_TYPES.has(facts.organisationType) || !facts.employerMunicipality || !hub.municipalityCode) return null;
  return facts.employerMunicipality !== hub.municipalityCode;
}

type Detail<K extends DetailType> = { metadata: EventMetadata; data: EventData<K> };

/** Applies the network's events to every study's datasets. */
export class ResearchProjection {
  private readonly hubs: Map<string, HubConfig>;

  constructor(
    hubs: HubConfig[],
    private readonly studies: StudyConfig[],
    private readonly keys: StudyKeys,
    private readonly state: ResearchState,
    private readonly sink: RowSink,
  ) {
    this.hubs = new Map(hubs.map((h) => [h.id, h]));
  }

  /**
   * Applies one event once per eventId: computes the rows, writes them to the sink, then marks
   * the event processed. A failure before the mark makes a retry write the rows again with the
   * same `row_id` (the sink is at least once anyway). Returns the rows written per study.
   */
  async apply<K extends ResearchEvent>(detailType: K, detail: Detail<K>): Promise<{ duplicate: boolean; rows: number }> {
    const { eventId } = detail.metadata;
    if (await this.state.processed(eventId)) return { duplicate: true, rows: 0 };
    const out: Array<{ studyId: string; table: TableName; row: object }> = [];
    const emit = <T extends TableName>(studyId: string, table: T, row: Row<T>) => out.push({ studyId, table, row: ROW_SCHEMAS[table].parse(row) });
    await this.project(detailType, detail as Detail<ResearchEvent>, emit);
    const groups = new Map<string, { studyId: string; table: TableName; rows: object[] }>();
    for (const { studyId, table, row } of out) {
      const k = `${studyId}/${table}`;
      const group = groups.get(k) ?? { studyId, table, rows: [] };
      group.rows.push(row);
      groups.set(k, group);
    }
    for (const g of groups.values()) await this.sink.put(g.studyId, g.table, g.rows);
    await this.state.markProcessed(eventId);
    return { duplicate: false, rows: out.length };
  }

  /** The studies that take rows of a table from a hub on a date. */
  private studiesFor(table: TableName, hubId: string, date: string): StudyConfig[] {
    return this.studies.filter((s) => followsHub(s, hubId) && isActive(s, date) && s.datasets.some((d) => TABLE_OF_DATASET[d] === table));
  }

  /** The person's pseudonym in a study, if they participate in the scope now. */
  private async participant(study: StudyConfig, memberId: string, scope: ConsentScope): Promise<{ key: Buffer; person: string } | undefined> {
    const key = await this.keys.keyFor(study.id);
    const person = pseudonym(key, memberId);
    const states = await this.state.consentOf(study.id, person);
    return participates(study, scope, states[scope]?.state) ? { key, person } : undefined;
  }

  private async project(type: ResearchEvent, detail: Detail<ResearchEvent>, emit: <T extends TableName>(studyId: string, table: T, row: Row<T>) => void): Promise<void> {
    const { eventId, hubId, occurredAt } = detail.metadata;
    const hub = this.hubs.get(hubId);
    if (!hub) return; // a hub this network does not configure (any more): nothing to say about it
    const base = (key: Buffer, table: TableName, extra = '') => ({ row_id: keyedHash(key, `row:${table}:${eventId}:${extra}`), hub: hub.id, county: hub.county });
    const month = (date: string) => date.slice(0, 7);
    const tz = hub.timezone;

    switch (type) {
      case 'CheckedIn': {
        const d = (detail as Detail<'CheckedIn'>).data;
        const facts: VisitFacts = { organisationId: d.organisationId, organisationType: d.organisationType, membership: d.membership, checkedInAt: d.checkedInAt, ...(d.employerMunicipality ? { employerMunicipality: d.employerMunicipality } : {}) };
        await this.state.putVisit(d.visitId, facts);
        for (const study of this.studiesFor('co_presence', hub.id, d.localDate)) {
          const me = await this.participant(study, d.memberId, 'co-presence');
          if (!me) continue;
          const others = await this.state.joinDay(study.id, hub.id, d.localDate, { person: me.person, organisation: keyedHash(me.key, `org:${d.organisationId}`), organisationType: d.organisationType });
          const week = isoWeek(d.localDate);
          for (const other of others) {
            if (other.person === me.person) continue;
            // The other must still participate now: a withdrawal since they checked in stops the pair.
            const theirs = await this.state.consentOf(study.id, other.person);
            if (!participates(study, 'co-presence', theirs['co-presence']?.state)) continue;
            const [a, b] = [me.person, other.person].sort() as [string, string];
            if (!(await this.state.claimPair(study.id, week, a, b))) continue;
            emit(study.id, 'co_presence', {
              ...base(me.key, 'co_presence', `${a}:${b}`),
              week,
              month: month(d.localDate),
              person_a: a,
              person_b: b,
              cross_organisation: other.organisation !== keyedHash(me.key, `org:${d.organisationId}`),
              sector_pair: [sectorOf(d.organisationType), sectorOf(other.organisationType)].sort().join('+'),
            });
          }
        }
        return;
      }
      case 'CheckedOut': {
        const d = (detail as Detail<'CheckedOut'>).data;
        const facts = await this.state.getVisit(d.visitId);
        for (const study of this.studiesFor('visits', hub.id, d.localDate)) {
          const p = await this.participant(study, d.memberId, 'usage');
          if (!p) continue;
          emit(study.id, 'visits', {
            ...base(p.key, 'visits'),
            person: p.person,
            date: d.localDate,
            month: month(d.localDate),
            time_band: timeBand(d.checkedInAt, tz),
            duration_minutes: quarterHours(d.durationMinutes),
            organisation_type: (facts?.organisationType as Row<'visits'>['organisation_type']) ?? 'unknown',
            membership: (facts?.membership as Row<'visits'>['membership']) ?? 'unknown',
            remote_worker: remoteWorker(hub, facts),
            auto_closed: d.autoClosed,
          });
        }
        return;
      }
      case 'BookingCreated':
      case 'BookingCancelled':
      case 'BookingNoShowReleased': {
        const d = (detail as Detail<'BookingCreated' | 'BookingCancelled' | 'BookingNoShowReleased'>).data;
        const date = 'localDate' in d ? d.localDate : localDate(new Date(d.start), tz);
        const resourceType = 'resourceType' in d ? d.resourceType : (hub.resources.find((r) => r.id === d.resourceId)?.type ?? 'unknown');
        const status = type === 'BookingCreated' ? 'booked' : type === 'BookingCancelled' ? 'cancelled' : 'no-show';
        for (const study of this.studiesFor('bookings', hub.id, date)) {
          const p = await this.participant(study, d.memberId, 'usage');
          if (!p) continue;
          emit(study.id, 'bookings', {
            ...base(p.key, 'bookings'),
            person: p.person,
            booking: keyedHash(p.key, `booking:${d.bookingId}`),
            date,
            month: month(date),
            resource_type: resourceType,
            status,
            lead_days: status === 'booked' ? daysBetween(localDate(new Date(occurredAt), tz), date) : null,
          });
        }
        return;
      }
      case 'EventRegistrationCreated':
      case 'EventRegistrationCancelled':
      case 'EventAttended': {
        const d = (detail as Detail<'EventRegistrationCreated' | 'EventRegistrationCancelled' | 'EventAttended'>).data;
        if (!d.memberId) return; // someone who registered publicly is not a member: never in a study
        const date = localDate(new Date(occurredAt), tz);
        const action = type === 'EventAttended' ? 'attended' : type === 'EventRegistrationCancelled' ? 'cancelled' : (d as EventData<'EventRegistrationCreated'>).status === 'waitlisted' ? 'waitlisted' : 'registered';
        for (const study of this.studiesFor('event_participation', hub.id, date)) {
          const p = await this.participant(study, d.memberId, 'usage');
          if (!p) continue;
          emit(study.id, 'event_participation', {
            ...base(p.key, 'event_participation'),
            person: p.person,
            event: keyedHash(p.key, `event:${d.hubId}:${d.eventId}`),
            date,
            month: month(date),
            kind: d.kind,
            action,
            business: d.business,
            organisation_type: d.organisationType,
            from_outside_hub: d.fromOutsideHub,
          });
        }
        return;
      }
      case 'MemberConsentChanged': {
        const d = (detail as Detail<'MemberConsentChanged'>).data;
        const study = this.studies.find((s) => s.id === d.studyId);
        if (!study) return;
        const key = await this.keys.keyFor(study.id);
        const person = pseudonym(key, d.memberId);
        await this.state.setConsent(study.id, person, d.scope, d.state, d.changedAt);
        const date = localDate(new Date(d.changedAt), tz);
        if (!this.studiesFor('consents', hub.id, date).includes(study)) return;
        emit(study.id, 'consents', {
          ...base(key, 'consents'),
          person,
          date,
          month: month(date),
          scope: d.scope,
          state: d.state,
          text_version: d.textVersion,
          channel: d.channel,
        });
        return;
      }
      case 'SurveyInvited': {
        const d = (detail as Detail<'SurveyInvited'>).data;
        const sent = localDate(new Date(d.invitedAt), tz);
        const study = this.studiesFor('survey_invitations', hub.id, sent).find((s) => s.id === d.studyId);
        if (!study) return;
        const p = await this.participant(study, d.memberId, 'surveys');
        if (!p) return;
        emit(study.id, 'survey_invitations', {
          ...base(p.key, 'survey_invitations'),
          person: p.person,
          invitation: keyedHash(p.key, `answer:${d.invitationId}`),
          study: study.id,
          trigger: d.trigger,
          instruments: d.instruments.length,
          week: isoWeek(sent),
          month: month(sent),
        });
        return;
      }
      case 'SurveyAnswered': {
        const d = (detail as Detail<'SurveyAnswered'>).data;
        const study = this.studiesFor('survey_answers', hub.id, d.answeredOn).find((s) => s.id === d.studyId);
        if (!study) return;
        const p = await this.participant(study, d.memberId, 'surveys');
        if (!p) return; // withdrawn since the answer was given: nothing more is written
        const common = { person: p.person, answer: keyedHash(p.key, `answer:${d.invitationId}`), study: study.id, trigger: d.trigger, week: isoWeek(d.answeredOn), month: month(d.answeredOn) };
        for (const a of d.answers) {
          const choices = a.choices;
          if (choices === undefined) {
            emit(study.id, 'survey_answers', { ...base(p.key, 'survey_answers', `${a.instrument}:${a.item}`), ...common, instrument: a.instrument, item: a.item, value: a.value ?? null, choice: null });
          } else if (choices.length === 0) {
            emit(study.id, 'survey_answers', { ...base(p.key, 'survey_answers', `${a.instrument}:${a.item}`), ...common, instrument: a.instrument, item: a.item, value: 0, choice: null });
          } else {
            for (const c of choices) {
              emit(study.id, 'survey_answers', { ...base(p.key, 'survey_answers', `${a.instrument}:${a.item}:${c}`), ...common, instrument: a.instrument, item: a.item, value: null, choice: c });
            }
          }
        }
        return;
      }
      case 'MemberErased': {
        const d = (detail as Detail<'MemberErased'>).data;
        for (const study of this.studies) await this.state.forgetPerson(study.id, pseudonym(await this.keys.keyFor(study.id), d.memberId));
        return;
      }
    }
  }
}
