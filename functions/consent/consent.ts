/**
 * Research consent: per member, study and scope, given or withdrawn, at the desk (staff of the
 * member's hub) or by the member on the page of their private consent link. The domain core:
 * no AWS; storage behind {@link ConsentStore}.
 */
import { randomBytes } from 'node:crypto';
import type { HubConfig } from '../../hubs/schema.ts';
import type { ConsentScope, StudyConfig } from '../../studies/schema.ts';
import { followsHub } from '../../studies/schema.ts';
import { buildEvent, type OutgoingEvent } from '../domain/events.ts';
import type { ErasedPerson, ExportSection, PersonalDataHolder } from '../domain/privacy.ts';
import { localDate, type Clock } from '../domain/time.ts';
import { badRequest, conflict, notFound } from '../shared/errors.ts';

/** Given or withdrawn. */
export type ConsentState = 'given' | 'withdrawn';
/** Where a change was made: at the desk by staff, or by the member on their link's page. */
export type ConsentChannel = 'desk' | 'link';

/** One change of a consent, as kept in its history. */
export interface ConsentChange {
  state: ConsentState;
  textVersion: string;
  channel: ConsentChannel;
  changedAt: string;
}

/** The current consent of a member to one scope of one study, with every earlier change. */
export interface ConsentRecord extends ConsentChange {
  memberId: string;
  studyId: string;
  scope: ConsentScope;
  /** Raised at every change; a write expects the revision it read (optimistic concurrency). */
  revision: number;
  history: ConsentChange[];
}

/** A member's private link to their consent page. The token is the secret. */
export interface ConsentLink {
  token: string;
  memberId: string;
  hubId: string;
  createdAt: string;
  expiresAt: string;
}

/** How long a consent link stays valid. */
export const CONSENT_LINK_DAYS = 30;

/**
 * Who appears in a study's rows of a scope (docs/research.md, "Who appears in a study"):
 * - a member who gave consent to the scope appears, one who withdrew it does not;
 * - a member who never said either appears only in a `public-interest-opt-out` study, and only
 *   with `usage` (visits, bookings, event participation): they may opt out at any time;
 * - `surveys`, `co-presence` and `recontact` always need a consent given, whatever the basis.
 */
export function participates(study: Pick<StudyConfig, 'legalBasis'>, scope: ConsentScope, state: ConsentState | undefined): boolean {
  if (state === 'given') return true;
  if (state === 'withdrawn') return false;
  return study.legalBasis === 'public-interest-opt-out' && scope === 'usage';
}

/** The scopes a study asks for, from its datasets: `recontact` always. */
export function scopesOf(study: Pick<StudyConfig, 'datasets'>): ConsentScope[] {
  const scopes: ConsentScope[] = [];
  if (study.datasets.some((d) => d === 'visits' || d === 'bookings' || d === 'event-participation')) scopes.push('usage');
  if (study.datasets.includes('co-presence')) scopes.push('co-presence');
  if (study.datasets.includes('survey-answers')) scopes.push('surveys');
  scopes.push('recontact');
  return scopes;
}

/** Storage of consents and consent links. A consent and its event are written atomically (outbox). */
export interface ConsentStore {
  consentsOf(memberId: string): Promise<ConsentRecord[]>;
  /**
   * Stores a consent's new state with its events, if its stored revision is still
   * `expectedRevision` (0: none yet); throws {@link ConsentRaced} otherwise.
   */
  saveConsent(record: ConsentRecord, expectedRevision: number, events: OutgoingEvent[]): Promise<void>;
  createLink(link: ConsentLink): Promise<void>;
  getLink(token: string): Promise<ConsentLink | undefined>;
  /** Deletes every consent and consent link of the member (idempotent). */
  forgetMember(memberId: string): Promise<void>;
}

/** Another change of the same consent came first. */
export class ConsentRaced extends Error {}

/** What the consent service needs to know of a member. */
export interface ConsentMember {
  id: string;
  language: 'sv' | 'en';
}

/** A change asked for (the route bodies). */
export interface ConsentInput {
  studyId: string;
  scope: ConsentScope;
  state: ConsentState;
  /** The version of the information text shown to the member: must be the study's current one. */
  textVersion: string;
}

/** One scope of a study as the member and staff see it. */
export interface ScopeView {
  scope: ConsentScope;
  /** Undefined: never said. */
  state?: ConsentState;
  /** Whether the member appears in the study's rows of this scope ({@link participates}). */
  participates: boolean;
  textVersion?: string;
  channel?: ConsentChannel;
  changedAt?: string;
}

/** A study open to a member, with the information text and the member's consent per scope. */
export interface StudyConsentView {
  studyId: string;
  title: string;
  institution: string;
  principalInvestigator: string;
  legalBasis: StudyConfig['legalBasis'];
  start: string;
  end: string;
  information: StudyConfig['information'];
  scopes: ScopeView[];
}

/** Consents of one hub's members to the research studies that follow the hub. */
export class ConsentService implements PersonalDataHolder {
  constructor(
    private readonly hub: HubConfig,
    private readonly studies: StudyConfig[],
    private readonly store: ConsentStore,
    private readonly members: { getMember(id: string): Promise<ConsentMember | undefined> },
    private readonly clock: Clock,
  ) {}

  /** Studies that follow this hub and have not ended (consent can be given or withdrawn). */
  openStudies(): StudyConfig[] {
    const today = localDate(this.clock(), this.hub.timezone);
    return this.studies.filter((s) => followsHub(s, this.hub.id) && today <= s.end);
  }

  private async member(memberId: string): Promise<ConsentMember> {
    const member = await this.members.getMember(memberId);
    if (!member) throw notFound(`No member "${memberId}" at hub "${this.hub.id}"`, [{ path: 'path.memberId', message: 'Unknown member' }]);
    return member;
  }

  /** Every open study with the member's consent per scope. */
  async consents(memberId: string): Promise<{ memberId: string; studies: StudyConsentView[] }> {
    await this.member(memberId);
    const records = await this.store.consentsOf(memberId);
    const studies = this.openStudies().map((study) => ({
      studyId: study.id,
      title: study.title,
      institution: study.institution,
      principalInvestigator: study.principalInvestigator.name,
      legalBasis: study.legalBasis,
      start: study.start,
      end: study.end,
      information: study.information,
      scopes: scopesOf(study).map((scope): ScopeView => {
        const r = records.find((c) => c.studyId === study.id && c.scope === scope);
        return {
          scope,
          participates: participates(study, scope, r?.state),
          ...(r ? { state: r.state, textVersion: r.textVersion, channel: r.channel, changedAt: r.changedAt } : {}),
        };
      }),
    }));
    return { memberId, studies };
  }

  /**
   * Records a member's consent to one scope of a study. The same state with the same text
   * version again changes nothing (`changed: false`, no event); anything else stores the new
   * state, keeps the old one in the history and publishes `MemberConsentChanged` with it.
   */
  async change(memberId: string, input: ConsentInput, channel: ConsentChannel, correlationId: string): Promise<{ changed: boolean; consent: ConsentRecord }> {
    await this.member(memberId);
    const study = this.studies.find((s) => s.id === input.studyId && followsHub(s, this.hub.id));
    if (!study) throw badRequest(`No study "${input.studyId}" follows hub "${this.hub.id}"`, [{ path: 'body.studyId', message: 'Unknown study (or one that does not follow this hub)' }]);
    if (!scopesOf(study).includes(input.scope)) {
      throw badRequest(`Study "${study.id}" does not ask for "${input.scope}"`, [{ path: 'body.scope', message: `One of ${scopesOf(study).join(', ')}` }]);
    }
    if (!this.openStudies().includes(study)) throw conflict(`Study "${study.id}" ended on ${study.end}`, [{ path: 'body.studyId', message: 'The study has ended' }]);
    if (input.textVersion !== study.information.version) {
      throw conflict(`The information text of study "${study.id}" is now version "${study.information.version}": show it to the member first`, [
        { path: 'body.textVersion', message: `The current version is "${study.information.version}"` },
      ]);
    }
    for (let attempt = 0; ; attempt++) {
      const current = (await this.store.consentsOf(memberId)).find((c) => c.studyId === study.id && c.scope === input.scope);
      if (current && current.state === input.state && current.textVersion === input.textVersion) return { changed: false, consent: current };
      const now = this.clock();
      const change: ConsentChange = { state: input.state, textVersion: input.textVersion, channel, changedAt: now.toISOString() };
      const record: ConsentRecord = {
        memberId,
        studyId: study.id,
        scope: input.scope,
        ...change,
        revision: (current?.revision ?? 0) + 1,
        history: [...(current?.history ?? []), change],
      };
      const event = buildEvent('MemberConsentChanged', { memberId, studyId: study.id, scope: input.scope, ...change }, { hubId: this.hub.id, correlationId, now });
      try {
        await this.store.saveConsent(record, current?.revision ?? 0, [event]);
        return { changed: true, consent: record };
      } catch (e) {
        // Two changes at once: read again and apply this one on top (the last one wins, both are in the history).
        if (!(e instanceof ConsentRaced) || attempt >= 4) throw e;
      }
    }
  }

  /** A new private link to the member's consent page, valid {@link CONSENT_LINK_DAYS} days. */
  async createLink(memberId: string): Promise<ConsentLink & { url: string }> {
    await this.member(memberId);
    const now = this.clock();
    const link: ConsentLink = {
      token: randomBytes(24).toString('base64url'),
      memberId,
      hubId: this.hub.id,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CONSENT_LINK_DAYS * 86_400_000).toISOString(),
    };
    await this.store.createLink(link);
    return { ...link, url: consentPageUrl(this.hub.id, link.token) };
  }

  /** The member behind a link, or 404 when the link is unknown or expired. */
  async memberOfLink(token: string): Promise<ConsentMember> {
    const link = await this.store.getLink(token);
    if (!link || link.hubId !== this.hub.id || link.expiresAt <= this.clock().toISOString()) {
      throw notFound('This consent link is not valid (any more): ask the hub staff for a new one', [{ path: 'path.token', message: 'Unknown or expired link' }]);
    }
    return this.member(link.memberId);
  }

  /** GDPR export: the member's consents with their history, and their consent links (without the secret). */
  async exportSections(memberId: string): Promise<ExportSection[]> {
    const records = await this.store.consentsOf(memberId);
    return [{ key: 'researchConsents', title: 'Consents to research studies, per study and scope, with every change and the version of the information text seen', data: records }];
  }

  /** GDPR erasure: every consent and consent link of the member goes. */
  async forget(person: ErasedPerson): Promise<void> {
    await this.store.forgetMember(person.memberId);
  }
}

/** The member's consent page for a link: the token travels in the fragment, never to a server log. */
export function consentPageUrl(hubId: string, token: string): string {
  return `/consent.html#hub=${encodeURIComponent(hubId)}&token=${encodeURIComponent(token)}`;
}
