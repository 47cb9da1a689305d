/**
 * Research surveys at a hub: invitations after a visit or an attended event (consenting members
 * only, sampled, rate-limited), the member's answer page and their answers. The domain core: no
 * AWS; storage behind {@link SurveyStore}, mail behind a function. docs/research.md, "Surveys".
 *
 * The invitation lives in the hub (with the member's e-mail): only `SurveyInvited` and
 * `SurveyAnswered`, which carry the member id and the answers but no e-mail, name or link
 * secret, leave it for the national side.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { HubConfig } from '../../hubs/schema.ts';
import { INSTRUMENTS, type Instrument } from '../../studies/instruments.ts';
import { followsHub, isActive, type StudyConfig, type SurveyInstrument } from '../../studies/schema.ts';
import type { EventData } from '../../events/catalog.ts';
import type { ConsentRecord } from '../consent/consent.ts';
import { participates } from '../consent/consent.ts';
import { buildEvent, type OutgoingEvent } from '../domain/events.ts';
import type { ErasedPerson, ExportSection, PersonalDataHolder } from '../domain/privacy.ts';
import { localDate, type Clock } from '../domain/time.ts';
import { badRequest, gone as goneError, notFound } from '../shared/errors.ts';

/** How long an invitation's link accepts answers. */
export const INVITATION_DAYS = 14;
/** How long the hub keeps an invitation (and its answers) after the link expired (TTL). */
export const INVITATION_KEPT_DAYS = 30;

/** What led to an invitation. */
export type SurveyTrigger = 'visit' | 'event';
/** One answer as stored and published. */
export type SurveyAnswer = EventData<'SurveyAnswered'>['answers'][number];

/** An invitation to one study's survey. The token is the secret in the member's link. */
export interface Invitation {
  token: string;
  invitationId: string;
  memberId: string;
  hubId: string;
  studyId: string;
  instruments: SurveyInstrument[];
  trigger: SurveyTrigger;
  triggerDate: string;
  /** The bus event (CheckedOut / EventAttended) that led to it: one invitation per trigger and study. */
  triggerEventId: string;
  language: 'sv' | 'en';
  invitedAt: string;
  expiresAt: string;
  status: 'open' | 'answered';
  mailed: boolean;
  answeredAt?: string;
  answers?: SurveyAnswer[];
}

/** Why an invitation could not be created. */
export type CreateOutcome = 'created' | 'exists' | 'rate-limited';

/** Storage of invitations, rate-limit markers and answers (the hub table). */
export interface SurveyStore {
  /** The invitation made for a trigger event and study, if any. */
  invitationForTrigger(triggerEventId: string, studyId: string): Promise<Invitation | undefined>;
  /**
   * Creates the invitation with its event, unless one exists for its trigger and study
   * (`exists`) or the member was invited to the study after `notInvitedSince` (`rate-limited`).
   * Atomic: the rate-limit marker, the trigger marker, the invitation and the outbox item.
   */
  createInvitation(invitation: Invitation, notInvitedSince: string, rateLimitUntil: string, events: OutgoingEvent[]): Promise<CreateOutcome>;
  markMailed(token: string): Promise<void>;
  getInvitation(token: string): Promise<Invitation | undefined>;
  /** Stores the answers with their event if the invitation is still open and unexpired at `now`; false otherwise. */
  saveAnswers(token: string, answeredAt: string, answers: SurveyAnswer[], events: OutgoingEvent[]): Promise<boolean>;
  invitationsOf(memberId: string): Promise<Invitation[]>;
  /** Deletes every invitation, answer and marker of the member (idempotent). */
  forgetMember(memberId: string): Promise<void>;
}

/** What the survey service needs to know of a member. */
export interface SurveyMember {
  id: string;
  name: string;
  email?: string;
  language: 'sv' | 'en';
}

/** A trigger from the hub bus: a visit ended or a member attended an event. */
export interface TriggerEvent {
  /** Our `eventId` of the bus event (idempotency). */
  eventId: string;
  kind: SurveyTrigger;
  memberId: string;
  /** The visit or hub event id: sampling is deterministic on it, so a replay samples the same. */
  subjectId: string;
  /** The hub-local date of the visit or event. */
  date: string;
  /** When it happened (the event's `occurredAt`): the invitation's time. */
  at: string;
  correlationId: string;
}

/** Sends a plain e-mail. */
export type Send = (mail: { to: string; subject: string; text: string }) => Promise<unknown>;

/** The outcome of one trigger for one study. */
export type InviteOutcome = 'invited' | 'already-invited' | 'not-consenting' | 'not-sampled' | 'rate-limited' | 'no-email' | 'not-eligible';

/**
 * Deterministic sampling: the share of (study, member, visit/event) that get an invitation. A
 * replay of the same trigger samples the same, whichever delivery it is.
 */
export function sampled(studyId: string, memberId: string, subjectId: string, share: number): boolean {
  if (share >= 1) return true;
  if (share <= 0) return false;
  const h = createHash('sha256').update(`${studyId}\n${memberId}\n${subjectId}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < share;
}

/** The answer page for a token: the link's secret travels in the fragment, never to a server log. */
export function surveyPageUrl(token: string): string {
  return `/survey.html#token=${encodeURIComponent(token)}`;
}

/** The hub a token belongs to (`<hubId>_<secret>`), or undefined when it is not one. */
export function hubOfToken(token: string): string | undefined {
  const m = /^([a-z][a-z0-9-]{1,29})_[A-Za-z0-9_-]{32}$/.exec(token);
  return m?.[1];
}

const gone = (message: string, reason: string) => goneError(message, [{ path: 'path.invitationToken', message: reason }]);

/** The body of an answer: per instrument, per item, a number or the options chosen. */
export type AnswersInput = Partial<Record<SurveyInstrument, Record<string, number | string[]>>>;

/** Research surveys of one hub's members. */
export class SurveyService implements PersonalDataHolder {
  constructor(
    private readonly hub: HubConfig,
    private readonly studies: StudyConfig[],
    private readonly store: SurveyStore,
    private readonly consents: { consentsOf(memberId: string): Promise<ConsentRecord[]> },
    private readonly members: { getMember(id: string): Promise<SurveyMember | undefined> },
    private readonly clock: Clock,
    private readonly instruments: readonly Instrument[] = INSTRUMENTS,
  ) {}

  /** The studies that survey members of this hub on a date. */
  surveyingStudies(date: string): StudyConfig[] {
    return this.studies.filter((s) => followsHub(s, this.hub.id) && isActive(s, date) && s.datasets.includes('survey-answers') && s.surveyInstruments.length > 0);
  }

  private async consenting(study: StudyConfig, memberId: string): Promise<boolean> {
    const record = (await this.consents.consentsOf(memberId)).find((c) => c.studyId === study.id && c.scope === 'surveys');
    return participates(study, 'surveys', record?.state);
  }

  /**
   * The consent an invitation was issued under still holds: the member consents to `surveys` now
   * and has not withdrawn since the invitation. A withdrawal kills the link for good: consent given
   * again later is a new consent, and only invitations issued under it work.
   */
  private async consentedSince(study: StudyConfig, invitation: Invitation): Promise<boolean> {
    const record = (await this.consents.consentsOf(invitation.memberId)).find((c) => c.studyId === study.id && c.scope === 'surveys');
    if (!participates(study, 'surveys', record?.state)) return false;
    return !(record?.history ?? []).some((c) => c.state === 'withdrawn' && c.changedAt >= invitation.invitedAt);
  }

  /**
   * Invites the member of a trigger to each study surveying this hub: if they consented to
   * `surveys`, the trigger is sampled, they were not invited to the study in its rate-limit
   * window (counted in trigger times), and they have an e-mail address. Idempotent on the
   * trigger's eventId: a redelivery only sends a mail that failed before. A trigger whose link
   * would have expired by now (an archive replay) invites nobody.
   */
  async invite(trigger: TriggerEvent, send: Send, publicUrl: string): Promise<Record<string, InviteOutcome>> {
    const out: Record<string, InviteOutcome> = {};
    // The invitation's time is the trigger's: rate limits and expiry do not depend on when (or how
    // often) the event is delivered. A trigger whose link would already have expired invites nobody.
    const at = new Date(trigger.at);
    const expiresAt = new Date(at.getTime() + INVITATION_DAYS * 86_400_000);
    for (const study of this.surveyingStudies(trigger.date)) {
      if (expiresAt <= this.clock()) {
        out[study.id] = 'not-eligible';
        continue;
      }
      const existing = await this.store.invitationForTrigger(trigger.eventId, study.id);
      if (existing) {
        if (!existing.mailed) await this.mail(existing, send, publicUrl);
        out[study.id] = 'already-invited';
        continue;
      }
      if (!(await this.consenting(study, trigger.memberId))) {
        out[study.id] = 'not-consenting';
        continue;
      }
      if (!sampled(study.id, trigger.memberId, trigger.subjectId, study.samplingShare)) {
        out[study.id] = 'not-sampled';
        continue;
      }
      const member = await this.members.getMember(trigger.memberId);
      if (!member?.email) {
        out[study.id] = 'no-email';
        continue;
      }
      const invitation: Invitation = {
        token: `${this.hub.id}_${randomBytes(24).toString('base64url')}`,
        invitationId: `inv_${randomUUID().replace(/-/g, '')}`,
        memberId: member.id,
        hubId: this.hub.id,
        studyId: study.id,
        instruments: [...study.surveyInstruments],
        trigger: trigger.kind,
        triggerDate: trigger.date,
        triggerEventId: trigger.eventId,
        language: member.language,
        invitedAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
        status: 'open',
        mailed: false,
      };
      const event = buildEvent(
        'SurveyInvited',
        {
          invitationId: invitation.invitationId,
          memberId: member.id,
          hubId: this.hub.id,
          studyId: study.id,
          instruments: invitation.instruments,
          trigger: trigger.kind,
          triggerDate: trigger.date,
          invitedAt: invitation.invitedAt,
          expiresAt: invitation.expiresAt,
        },
        { hubId: this.hub.id, correlationId: trigger.correlationId, now: this.clock() },
      );
      const windowMs = study.invitationRateLimitDays * 86_400_000;
      const notInvitedSince = new Date(at.getTime() - windowMs).toISOString();
      const outcome = await this.store.createInvitation(invitation, notInvitedSince, new Date(at.getTime() + windowMs).toISOString(), [event]);
      if (outcome === 'created') {
        await this.mail(invitation, send, publicUrl);
        out[study.id] = 'invited';
      } else if (outcome === 'exists') {
        const raced = await this.store.invitationForTrigger(trigger.eventId, study.id);
        if (raced && !raced.mailed) await this.mail(raced, send, publicUrl);
        out[study.id] = 'already-invited';
      } else out[study.id] = 'rate-limited';
    }
    return out;
  }

  private async mail(invitation: Invitation, send: Send, publicUrl: string): Promise<void> {
    const member = await this.members.getMember(invitation.memberId);
    const study = this.studies.find((s) => s.id === invitation.studyId);
    if (!member?.email || !study) return;
    const en = invitation.language === 'en';
    const link = `${publicUrl}${surveyPageUrl(invitation.token)}`;
    const until = new Date(invitation.expiresAt).toLocaleDateString(en ? 'en-GB' : 'sv-SE', { timeZone: this.hub.timezone, dateStyle: 'long' });
    const sign = en ? `/ The hosts at ${this.hub.name}` : `/ Värdskapet på ${this.hub.name}`;
    const mail = en
      ? {
          subject: `A short survey from the follow-up research: ${this.hub.name}`,
          text: `Hello ${member.name},\n\nYou have agreed to answer surveys in the study "${study.title}". Thank you for your recent ${invitation.trigger === 'visit' ? 'visit' : 'event'} at ${this.hub.name}: would you answer a few short questions? It takes about five minutes.\n\n${link}\n\nThe link is yours alone and works until ${until}. The researchers receive your answers under a code, never your name or e-mail. You can withdraw your consent at any time at the desk; the link then stops accepting answers.\n\n${sign}`,
        }
      : {
          subject: `En kort enkät från följeforskningen: ${this.hub.name}`,
          text: `Hej ${member.name}!\n\nDu har sagt ja till att svara på enkäter i studien "${study.title}". Tack för ditt ${invitation.trigger === 'visit' ? 'besök' : 'deltagande i ett evenemang'} på ${this.hub.name} nyligen: vill du svara på några korta frågor? Det tar ungefär fem minuter.\n\n${link}\n\nLänken är personlig och gäller till och med ${until}. Forskarna får dina svar under en kod, aldrig ditt namn eller din e-postadress. Du kan när som helst återkalla ditt samtycke i receptionen; då tar länken inte längre emot svar.\n\n${sign}`,
        };
    await send({ to: member.email, ...mail });
    await this.store.markMailed(invitation.token);
  }

  /** The open invitation of a token, or 404 (unknown) / 410 (expired, answered, consent withdrawn). */
  private async openInvitation(token: string): Promise<{ invitation: Invitation; study: StudyConfig }> {
    const invitation = hubOfToken(token) === this.hub.id ? await this.store.getInvitation(token) : undefined;
    const study = invitation && this.studies.find((s) => s.id === invitation.studyId);
    if (!invitation || invitation.hubId !== this.hub.id || !study) throw notFound('No such survey invitation', [{ path: 'path.invitationToken', message: 'Unknown invitation' }]);
    if (invitation.status === 'answered') throw gone('This survey has already been answered: thank you!', 'Already answered');
    if (invitation.expiresAt <= this.clock().toISOString()) throw gone('This survey link has expired', 'Expired');
    if (!(await this.consentedSince(study, invitation))) throw gone('Consent to surveys has been withdrawn: this link no longer accepts answers', 'Consent withdrawn');
    return { invitation, study };
  }

  /** The survey of a token for the answer page: study and instruments in Swedish and English, no personal data. */
  async survey(token: string) {
    const { invitation, study } = await this.openInvitation(token);
    return {
      language: invitation.language,
      hub: { id: this.hub.id, name: this.hub.name },
      study: { id: study.id, title: study.title, institution: study.institution },
      trigger: invitation.trigger,
      triggerDate: invitation.triggerDate,
      expiresAt: invitation.expiresAt,
      instruments: invitation.instruments.map((id) => {
        const { id: _id, licence: _l, scoring: _s, ...rest } = this.instrument(id);
        return { id, ...rest };
      }),
    };
  }

  private instrument(id: SurveyInstrument): Instrument {
    const found = this.instruments.find((i) => i.id === id);
    if (!found) throw new Error(`No survey instrument "${id}"`);
    return found;
  }

  /**
   * Checks the answers against the invitation's instruments: every item answered, each value
   * on its scale or in its range, chosen options known; 400 naming every bad item otherwise.
   */
  validate(instruments: SurveyInstrument[], input: AnswersInput): SurveyAnswer[] {
    const issues: { path: string; message: string }[] = [];
    const answers: SurveyAnswer[] = [];
    for (const key of Object.keys(input)) {
      if (!instruments.includes(key as SurveyInstrument)) issues.push({ path: `body.answers.${key}`, message: 'Not an instrument of this survey' });
    }
    for (const id of instruments) {
      const ins = this.instrument(id);
      const given = input[id] ?? {};
      for (const key of Object.keys(given)) if (!ins.items.some((i) => i.id === key)) issues.push({ path: `body.answers.${id}.${key}`, message: 'Not an item of this instrument' });
      for (const item of ins.items) {
        const path = `body.answers.${id}.${item.id}`;
        const v = given[item.id];
        if (v === undefined) {
          issues.push({ path, message: 'Required: answer this item' });
        } else if (item.kind === 'multi-select') {
          const options = item.options.map((o) => o.value);
          if (!Array.isArray(v)) issues.push({ path, message: `A list of the options chosen (${options.join(', ')})` });
          else if (v.some((c) => !options.includes(c))) issues.push({ path, message: `Only ${options.join(', ')}` });
          else if (new Set(v).size !== v.length) issues.push({ path, message: 'Each option at most once' });
          else answers.push({ instrument: id, item: item.id, choices: [...v].sort() });
        } else {
          const [min, max] = item.kind === 'scale' ? [ins.scale?.min ?? 0, ins.scale?.max ?? 0] : [item.min, item.max];
          if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) issues.push({ path, message: `A whole number from ${min} to ${max}` });
          else answers.push({ instrument: id, item: item.id, value: v });
        }
      }
      if (id === 'weak-ties') {
        const n = given['new-people'];
        const c = given['contacted-since'];
        if (typeof n === 'number' && typeof c === 'number' && c > n) issues.push({ path: `body.answers.${id}.contacted-since`, message: 'At most the number of people met (new-people)' });
      }
    }
    if (issues.length) throw badRequest(`Invalid answers: ${issues.map((i) => i.path).join(', ')}`, issues);
    return answers;
  }

  /**
   * Records the member's answers once: 404/410 as {@link survey}, 400 naming each bad item, and
   * a second answer (also two at once) is 410. Publishes `SurveyAnswered` with the answers.
   */
  async answer(token: string, input: AnswersInput, correlationId: string): Promise<{ invitationId: string; answeredAt: string }> {
    const { invitation } = await this.openInvitation(token);
    const answers = this.validate(invitation.instruments, input);
    const now = this.clock();
    const event = buildEvent(
      'SurveyAnswered',
      {
        invitationId: invitation.invitationId,
        memberId: invitation.memberId,
        hubId: this.hub.id,
        studyId: invitation.studyId,
        trigger: invitation.trigger,
        triggerDate: invitation.triggerDate,
        answeredOn: localDate(now, this.hub.timezone),
        answers,
      },
      { hubId: this.hub.id, correlationId, now },
    );
    if (!(await this.store.saveAnswers(token, now.toISOString(), answers, [event]))) {
      throw gone('This survey has already been answered (or its link expired meanwhile)', 'Already answered');
    }
    return { invitationId: invitation.invitationId, answeredAt: now.toISOString() };
  }

  /** GDPR export: the member's invitations with their answers (without the link secret). */
  async exportSections(memberId: string): Promise<ExportSection[]> {
    const invitations = (await this.store.invitationsOf(memberId)).map(({ token: _t, triggerEventId: _e, ...rest }) => rest);
    return [{ key: 'surveyInvitations', title: 'Invitations to research surveys, with the answers given', data: invitations }];
  }

  /** GDPR erasure: every invitation, answer and marker of the member goes. */
  async forget(person: ErasedPerson): Promise<void> {
    await this.store.forgetMember(person.memberId);
  }
}
