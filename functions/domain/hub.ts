import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Membership, OrganisationType } from '../../events/catalog.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { badRequest, conflict, notFound } from '../shared/errors.ts';
import { inForce, newAgreement, type Agreement, type NetworkAgreementStore } from './agreements.ts';
import { buildEvent, type OutgoingEvent } from './events.ts';
import { closingEve } from './holidays.ts';
import type { ErasedPerson, ExportSection, PersonalDataHolder } from './privacy.ts';

export type { Agreement } from './agreements.ts';
import { newId, newMemberCode, normaliseMemberCode } from './ids.ts';
import { fold, organisationId, queryWords, searchTokens } from './identity.ts';
import { canonicalOrgNumber } from './orgnumber.ts';
import { localDate, weekdayOf, zonedInstant, type Clock } from './time.ts';

/** An organisation registered at a hub; its id is the same at every hub of the network. */
export interface Organisation {
  id: string;
  hubId: string;
  name: string;
  type: z.infer<typeof OrganisationType>;
  orgNumber?: string;
  homeMunicipality?: string;
  createdAt: string;
}

/** A member of a hub (personal data: it never leaves the hub table except to staff and the member). */
export interface Member {
  id: string;
  hubId: string;
  memberCode: string;
  name: string;
  /** Required for members; a pre-registered visitor (guest) may come without one. */
  email?: string;
  organisationId: string;
  /** A guest's host: the member told when the guest checks in. */
  hostMemberId?: string;
  /** The day a pre-registered guest is expected (hub-local date). */
  expectedDate?: string;
  employerLocation?: string;
  /** The employer's municipality, SCB code. */
  employerMunicipality?: string;
  membership: z.infer<typeof Membership>;
  language: 'sv' | 'en';
  /** The secret in the member's calendar link (a calendar app cannot send a bearer token). */
  calendarKey?: string;
  /** The agreement whose seat this member holds (members of organisations with an agreement). */
  agreementId?: string;
  agreementScope?: Agreement['scope'];
  createdAt: string;
  /**
   * E-mail addresses the member had before a change: kept so that erasure also finds what was
   * sent to or registered under them (mail, public event registrations); erased with the member.
   */
  formerEmails?: string[];
  updatedAt?: string;
}

/** A visit: one check-in, open until checked out. An erased member's visits keep no member id. */
export interface Visit {
  id: string;
  hubId: string;
  memberId?: string;
  organisationId: string;
  checkedInAt: string;
  localDate: string;
  checkedOutAt?: string;
  durationMinutes?: number;
  autoClosed?: boolean;
  /** The member hosting a guest on this visit. */
  hostMemberId?: string;
}

/** Someone in the hub now. */
export interface PresenceEntry {
  visitId: string;
  memberId: string;
  name: string;
  organisationId: string;
  organisationName: string;
  organisationType: Organisation['type'];
  membership: Member['membership'];
  since: string;
}

/** What a hub needs from storage. Every write stores the state and its events atomically (outbox). */
export interface HubStore {
  getOrganisation(id: string): Promise<Organisation | undefined>;
  /** Stores a new organisation; false when it is registered here already. */
  createOrganisation(org: Organisation, events: OutgoingEvent[]): Promise<boolean>;
  /** The organisations registered at the hub, by name. */
  listOrganisations(): Promise<Organisation[]>;
  /** Adds an organisation stored before the hub's list existed to the list (nothing when it is listed). */
  listOrganisation(org: Organisation): Promise<void>;
  /**
   * Stores a new member with its search tokens, taking a seat of `agreement` when given; throws
   * `UniqueConflict` for a taken e-mail or code and `QuotaExceeded` when the agreement is full.
   */
  createMember(member: Member, tokens: string[], events: OutgoingEvent[], agreement?: Agreement): Promise<void>;
  createAgreement(agreement: Agreement): Promise<void>;
  agreementsOf(organisationId: string): Promise<Agreement[]>;
  getMember(id: string): Promise<Member | undefined>;
  /**
   * Replaces a member in one transaction: the e-mail guard moves with the e-mail (UniqueConflict
   * 'email' when another member has it), the search tokens follow; the presence row's name after.
   */
  updateMember(before: Member, after: Member, oldTokens: string[], newTokens: string[]): Promise<void>;
  getMemberByCode(code: string): Promise<Member | undefined>;
  /** Member ids whose search tokens start with `prefix`, at most `limit`. */
  searchMembers(prefix: string, limit: number): Promise<string[]>;
  /** Opens a visit and the presence entry unless the member is in; returns the open visit then. */
  openVisit(visit: Visit & { memberId: string }, presence: PresenceEntry, events: OutgoingEvent[]): Promise<{ created: boolean; visit: Visit }>;
  getVisit(id: string): Promise<Visit | undefined>;
  /** Closes an open visit and removes the presence entry; false when it was closed already. */
  closeVisit(visit: Visit & { memberId: string }, closed: { checkedOutAt: string; durationMinutes: number; autoClosed: boolean }, events: OutgoingEvent[]): Promise<boolean>;
  presence(): Promise<PresenceEntry[]>;
  visitsOf(memberId: string): Promise<Visit[]>;
  /** Erases a member's personal data in one transaction: member, guards, search tokens, presence; leaves a tombstone that does not name them. */
  eraseMember(member: Member, tokens: string[], events: OutgoingEvent[], erasedAt: string): Promise<void>;
  /** Unlinks an erased member's visits (idempotent). */
  anonymiseVisits(memberId: string): Promise<void>;
  /** When the member was erased, if they were. */
  erasedAt(memberId: string): Promise<string | undefined>;
  /** Guests (pre-registered visitors) whose host is the member. */
  guestsOf(hostMemberId: string): Promise<Member[]>;
  /** Visits on which the member hosted a guest. */
  hostedVisitsOf(hostMemberId: string): Promise<Visit[]>;
  /** Removes the member as host from their guests and hosted visits (idempotent). */
  unlinkHost(hostMemberId: string): Promise<void>;
  /** Deletes the items of events already written (outbox) that name the member (idempotent). */
  forgetOutboxEvents(memberId: string): Promise<void>;
  /** Whether the host of a visit has been told of the guest's arrival. */
  wasHostNotified(visitId: string): Promise<boolean>;
  markHostNotified(visitId: string, at: string): Promise<void>;
}

/** The agreement has no free seat. */
export class QuotaExceeded extends Error {}

/** A uniqueness rule was hit in storage. */
/** The item changed (or went) between reading and writing it. */
export class ConcurrentChange extends Error {
  constructor() {
    super('Changed meanwhile; try again');
  }
}

export class UniqueConflict extends Error {
  constructor(readonly field: 'email' | 'memberCode') {
    super(`${field} already taken`);
  }
}

/** Input of registerOrganisation, validated for shape. */
export interface OrganisationInput {
  name: string;
  type: Organisation['type'];
  orgNumber?: string | undefined;
  homeMunicipality?: string | undefined;
}

/** Input of registerMember, validated for shape. */
export interface MemberInput {
  name: string;
  email: string;
  organisationId: string;
  employerLocation?: string | undefined;
  employerMunicipality?: string | undefined;
  membership: Member['membership'];
  language?: Member['language'] | undefined;
}

/** The QR payload of a member code: what a kiosk scanner reads. */
export const qrPayload = (hubId: string, code: string) => `SAMVERKAN:${hubId}:${code}`;

const minutesBetween = (from: string, to: string) => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));

/** The hub's use cases; knows nothing of AWS. */
export class HubService {
  constructor(
    readonly hub: HubConfig,
    private readonly store: HubStore,
    private readonly clock: Clock,
    /** Network-wide agreements (the national network table); without it only hub agreements apply. */
    private readonly network?: NetworkAgreementStore,
    /** The other parts of the hub that keep data naming members (bookings, the mail outbox, …): they export and erase theirs. */
    private readonly holders: PersonalDataHolder[] = [],
  ) {}

  private ctx(correlationId: string) {
    return { hubId: this.hub.id, correlationId, now: this.clock() };
  }

  /** Registers an organisation at this hub; one already registered here is returned as it is. */
  async registerOrganisation(input: OrganisationInput, correlationId: string): Promise<{ created: boolean; organisation: Organisation }> {
    let orgNumber: string | undefined;
    if (input.orgNumber !== undefined && input.orgNumber !== '') {
      orgNumber = canonicalOrgNumber(input.orgNumber);
      if (!orgNumber) throw badRequest('Invalid request: body.orgNumber', [{ path: 'body.orgNumber', message: 'Not a valid Swedish organisation number (NNNNNN-NNNN with a correct check digit)' }]);
    }
    const ctx = this.ctx(correlationId);
    const id = organisationId({ orgNumber, name: input.name });
    const existing = await this.store.getOrganisation(id);
    if (existing) {
      // Registering it again puts one stored before the hub's list existed into the list.
      await this.store.listOrganisation(existing);
      return { created: false, organisation: existing };
    }
    const org: Organisation = {
      id,
      hubId: this.hub.id,
      name: input.name.trim(),
      type: input.type,
      ...(orgNumber ? { orgNumber } : {}),
      ...(input.homeMunicipality ? { homeMunicipality: input.homeMunicipality.trim() } : {}),
      createdAt: ctx.now.toISOString(),
    };
    const event = buildEvent('OrganisationRegistered', { organisationId: org.id, name: org.name, type: org.type, orgNumber: org.orgNumber, homeMunicipality: org.homeMunicipality }, ctx);
    if (await this.store.createOrganisation(org, [event])) return { created: true, organisation: org };
    const found = await this.store.getOrganisation(id);
    if (!found) throw new Error(`Organisation ${id} was neither created nor found`);
    return { created: false, organisation: found };
  }

  /** The organisations registered at this hub, by name. */
  organisations(): Promise<Organisation[]> {
    return this.store.listOrganisations();
  }

  /** Registers a member of a registered organisation and gives them a member code. */
  async registerMember(input: MemberInput, correlationId: string): Promise<Member> {
    const org = await this.store.getOrganisation(input.organisationId);
    if (!org) throw notFound(`No organisation "${input.organisationId}" at hub "${this.hub.id}"`, [{ path: 'body.organisationId', message: 'Unknown organisation' }]);
    return this.createMember(org, input, correlationId);
  }

  /**
   * Pre-registers a visitor: a guest of a host member, expected on a day. The guest gets a
   * member code like anyone; the host is told when the guest checks in. The guest's
   * organisation is registered by name if it is new here.
   */
  async registerVisitor(
    input: { name: string; email?: string | undefined; organisationName: string; organisationType?: Organisation['type'] | undefined; hostMemberId: string; expectedDate: string; language?: Member['language'] | undefined },
    correlationId: string,
  ): Promise<Member> {
    const host = await this.store.getMember(input.hostMemberId);
    if (!host) throw notFound(`No member "${input.hostMemberId}" at hub "${this.hub.id}" to host the visitor`, [{ path: 'body.hostMemberId', message: 'Unknown member' }]);
    const today = localDate(this.clock(), this.hub.timezone);
    if (input.expectedDate < today) throw badRequest('Invalid request: body.expectedDate', [{ path: 'body.expectedDate', message: `Must be today (${today}) or later` }]);
    const { organisation } = await this.registerOrganisation({ name: input.organisationName, type: input.organisationType ?? 'other' }, correlationId);
    return this.createMember(
      organisation,
      { name: input.name, email: input.email, organisationId: organisation.id, membership: 'guest', language: input.language ?? host.language },
      correlationId,
      { hostMemberId: host.id, expectedDate: input.expectedDate },
    );
  }

  private async createMember(org: Organisation, input: Omit<MemberInput, 'email'> & { email?: string | undefined }, correlationId: string, visitor?: { hostMemberId: string; expectedDate: string }): Promise<Member> {
    const ctx = this.ctx(correlationId);
    const employerLocation = input.employerLocation?.trim() || org.homeMunicipality;
    const agreement = input.membership === 'member' ? await this.activeAgreement(org.id, ctx.now) : undefined;
    if (agreement === null) {
      throw conflict(`${org.name} has no agreement for memberships at ${this.hub.name} today (its agreements have ended or not begun)`, [{ path: 'body.organisationId', message: 'No active agreement' }]);
    }
    for (let attempt = 0; ; attempt++) {
      const member: Member = {
        id: newId('mem'),
        hubId: this.hub.id,
        memberCode: newMemberCode(),
        name: input.name.trim(),
        ...(input.email ? { email: input.email.trim().toLowerCase() } : {}),
        organisationId: org.id,
        ...(visitor ?? {}),
        ...(employerLocation ? { employerLocation } : {}),
        ...(input.employerMunicipality ? { employerMunicipality: input.employerMunicipality } : {}),
        membership: input.membership,
        language: input.language ?? 'sv',
        calendarKey: randomBytes(18).toString('base64url'),
        ...(agreement ? { agreementId: agreement.id, agreementScope: agreement.scope } : {}),
        createdAt: ctx.now.toISOString(),
      };
      const event = buildEvent(
        'MemberRegistered',
        {
          memberId: member.id,
          organisationId: org.id,
          organisationType: org.type,
          membership: member.membership,
          employerLocation,
          remoteWorker: input.employerMunicipality && this.hub.municipalityCode ? input.employerMunicipality !== this.hub.municipalityCode : employerLocation ? fold(employerLocation) !== fold(this.hub.municipality) : undefined,
          ...(input.employerMunicipality ? { employerMunicipality: input.employerMunicipality } : {}),
        },
        ctx,
      );
      const holder = { hubId: this.hub.id, memberId: member.id };
      // A network agreement is only ever found when the network store is there.
      const networkSeats = agreement?.scope === 'network' ? this.network : undefined;
      try {
        if (agreement && networkSeats && !(await networkSeats.takeSeat(agreement, holder))) throw new QuotaExceeded();
        try {
          await this.store.createMember(member, searchTokens(member, org.name), [event], agreement?.scope === 'hub' ? agreement : undefined);
        } catch (e) {
          if (agreement && networkSeats) await networkSeats.releaseSeat(agreement, holder);
          throw e;
        }
        return member;
      } catch (e) {
        if (e instanceof QuotaExceeded && agreement) {
          const where = agreement.scope === 'network' ? 'across the network' : `at ${this.hub.name}`;
          throw conflict(`${org.name}'s agreement covers ${agreement.seats} memberships ${where} (${agreement.validFrom} – ${agreement.validTo}), and all are taken`, [
            { path: 'body.organisationId', message: `Quota of ${agreement.seats} memberships reached` },
          ]);
        }
        if (e instanceof UniqueConflict && e.field === 'memberCode' && attempt < 5) continue;
        if (e instanceof UniqueConflict && e.field === 'email') throw conflict(`A member with e-mail ${member.email} is already registered at this hub`, [{ path: 'body.email', message: 'Already registered' }]);
        throw e;
      }
    }
  }

  /**
   * The agreement that covers today: undefined when the organisation has no agreements at all
   * (no quota applies), null when it has agreements, here or network-wide, but none is in force.
   */
  private async activeAgreement(organisationId: string, now: Date): Promise<Agreement | undefined | null> {
    // The hub's own agreement in force comes first, then a network-wide one in force.
    const local = await this.store.agreementsOf(organisationId);
    const network = (await this.network?.agreementsOf(organisationId)) ?? [];
    if (local.length === 0 && network.length === 0) return undefined;
    return inForce(local, now, this.hub.timezone) ?? inForce(network, now, this.hub.timezone) ?? null;
  }

  /** Records an organisation's agreement for a number of memberships over a period. */
  async createAgreement(organisationId: string, input: { seats: number; validFrom: string; validTo: string }): Promise<Agreement> {
    const org = await this.store.getOrganisation(organisationId);
    if (!org) throw notFound(`No organisation "${organisationId}" at hub "${this.hub.id}"`, [{ path: 'path.organisationId', message: 'Unknown organisation' }]);
    const agreement = newAgreement(await this.store.agreementsOf(organisationId), { organisationId, organisationName: org.name, ...input, scope: 'hub', hubId: this.hub.id }, this.clock());
    await this.store.createAgreement(agreement);
    return agreement;
  }

  /** An organisation's agreements, newest first. */
  async agreements(organisationId: string): Promise<Agreement[]> {
    if (!(await this.store.getOrganisation(organisationId))) throw notFound(`No organisation "${organisationId}" at hub "${this.hub.id}"`, [{ path: 'path.organisationId', message: 'Unknown organisation' }]);
    return (await this.store.agreementsOf(organisationId)).sort((a, b) => b.validFrom.localeCompare(a.validFrom));
  }

  /** One member, or 404. */
  async member(memberId: string): Promise<Member> {
    const member = await this.store.getMember(memberId);
    if (!member) throw notFound(`No member "${memberId}" at hub "${this.hub.id}"`, [{ path: 'path.memberId', message: 'Unknown member' }]);
    return member;
  }

  /** Members whose name, e-mail or organisation matches every word of the query. */
  async searchMembers(q: string, limit = 25): Promise<Member[]> {
    const words = queryWords(q);
    const driver = [...words].sort((a, b) => b.length - a.length)[0];
    if (!driver) return [];
    const ids = await this.store.searchMembers(driver, 200);
    const members = (await Promise.all(ids.map((id) => this.store.getMember(id)))).filter((m): m is Member => m !== undefined);
    const orgNames = new Map<string, string>();
    for (const m of members) if (!orgNames.has(m.organisationId)) orgNames.set(m.organisationId, (await this.store.getOrganisation(m.organisationId))?.name ?? '');
    return members
      .filter((m) => {
        const tokens = searchTokens(m, orgNames.get(m.organisationId) ?? '');
        return words.every((w) => tokens.some((t) => t.startsWith(w)));
      })
      .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
      .slice(0, limit);
  }

  /** Changes a member's name, e-mail or language (staff at the desk). */
  async updateMember(memberId: string, change: { name?: string | undefined; email?: string | undefined; language?: Member['language'] | undefined }): Promise<Member> {
    const before = await this.store.getMember(memberId);
    if (!before) throw notFound(`No member "${memberId}" at hub "${this.hub.id}"`, [{ path: 'path.memberId', message: 'Unknown member' }]);
    const email = change.email?.trim().toLowerCase();
    const emailChanged = email !== undefined && email !== before.email;
    const after: Member = {
      ...before,
      ...(change.name !== undefined ? { name: change.name.trim() } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(change.language !== undefined ? { language: change.language } : {}),
      ...(emailChanged && before.email ? { formerEmails: [...new Set([...(before.formerEmails ?? []), before.email])] } : {}),
      updatedAt: this.clock().toISOString(),
    };
    const orgName = (await this.store.getOrganisation(before.organisationId))?.name ?? '';
    try {
      await this.store.updateMember(before, after, searchTokens(before, orgName), searchTokens(after, orgName));
    } catch (e) {
      if (e instanceof UniqueConflict && e.field === 'email') throw conflict(`A member with e-mail ${email} is already registered at this hub`, [{ path: 'body.email', message: 'Already registered' }]);
      if (e instanceof ConcurrentChange) throw conflict('The member was changed or erased meanwhile; reload and try again', [{ path: 'path.memberId', message: 'Changed meanwhile' }]);
      throw e;
    }
    return after;
  }

  /** Checks a member in by id, member code or QR payload; a member already in gets their open visit. */
  async checkIn(input: { memberId?: string | undefined; memberCode?: string | undefined; hostMemberId?: string | undefined }, correlationId: string): Promise<{ created: boolean; visit: Visit }> {
    const member = input.memberId ? await this.store.getMember(input.memberId) : await this.store.getMemberByCode(this.codeFrom(input.memberCode ?? ''));
    if (!member) {
      const field = input.memberId ? 'body.memberId' : 'body.memberCode';
      throw notFound(`No member ${input.memberId ? `"${input.memberId}"` : `with code "${input.memberCode}"`} at hub "${this.hub.id}"`, [{ path: field, message: 'Unknown member' }]);
    }
    const hostMemberId = input.hostMemberId ?? member.hostMemberId;
    if (hostMemberId !== undefined) {
      if (hostMemberId === member.id) throw badRequest('A member cannot host themselves', [{ path: 'body.hostMemberId', message: 'Same as the member checking in' }]);
      if (!(await this.store.getMember(hostMemberId))) throw notFound(`No host member "${hostMemberId}" at hub "${this.hub.id}"`, [{ path: 'body.hostMemberId', message: 'Unknown member' }]);
    }
    const org = await this.store.getOrganisation(member.organisationId);
    if (!org) throw new Error(`Member ${member.id} refers to missing organisation ${member.organisationId}`);
    const ctx = this.ctx(correlationId);
    const visit = {
      id: newId('vis'),
      hubId: this.hub.id,
      memberId: member.id,
      organisationId: member.organisationId,
      checkedInAt: ctx.now.toISOString(),
      localDate: localDate(ctx.now, this.hub.timezone),
      ...(hostMemberId ? { hostMemberId } : {}),
    };
    const presence: PresenceEntry = {
      visitId: visit.id,
      memberId: member.id,
      name: member.name,
      organisationId: org.id,
      organisationName: org.name,
      organisationType: org.type,
      membership: member.membership,
      since: visit.checkedInAt,
    };
    const event = buildEvent(
      'CheckedIn',
      {
        visitId: visit.id,
        memberId: member.id,
        organisationId: org.id,
        organisationType: org.type,
        membership: member.membership,
        hubId: this.hub.id,
        checkedInAt: visit.checkedInAt,
        localDate: visit.localDate,
        ...(member.employerMunicipality ? { employerMunicipality: member.employerMunicipality } : {}),
      },
      ctx,
    );
    return this.store.openVisit(visit, presence, [event]);
  }

  private codeFrom(scanned: string): string {
    const qr = /^SAMVERKAN:([a-z0-9-]+):(.+)$/i.exec(scanned.trim());
    if (qr && qr[1]?.toLowerCase() !== this.hub.id) throw badRequest('This member code belongs to another hub', [{ path: 'body.memberCode', message: `QR code of hub "${qr[1]}"` }]);
    return normaliseMemberCode(qr ? (qr[2] ?? '') : scanned);
  }

  /** Checks a visit out (staff) or closes it at closing time (`autoClosedAt`); closing a closed visit returns it. */
  async checkOut(visitId: string, correlationId: string, autoClosedAt?: Date): Promise<{ closed: boolean; visit: Visit }> {
    const visit = await this.store.getVisit(visitId);
    if (!visit?.memberId) throw notFound(`No visit "${visitId}" at hub "${this.hub.id}"`, [{ path: 'path.visitId', message: 'Unknown visit' }]);
    if (visit.checkedOutAt) return { closed: false, visit };
    const ctx = this.ctx(correlationId);
    const end = autoClosedAt ?? ctx.now;
    const checkedOutAt = end.toISOString();
    const closed = { checkedOutAt, durationMinutes: minutesBetween(visit.checkedInAt, checkedOutAt), autoClosed: autoClosedAt !== undefined };
    const event = buildEvent(
      'CheckedOut',
      { visitId: visit.id, memberId: visit.memberId, organisationId: visit.organisationId, hubId: this.hub.id, checkedInAt: visit.checkedInAt, localDate: visit.localDate, ...closed },
      ctx,
    );
    const done = await this.store.closeVisit({ ...visit, memberId: visit.memberId }, closed, [event]);
    const now = (await this.store.getVisit(visitId)) ?? { ...visit, ...closed };
    return { closed: done, visit: now };
  }

  /** The member a typed member code or scanned QR payload names (404 naming `body.memberCode` when none). */
  async memberByCode(scanned: string): Promise<Member> {
    const member = await this.store.getMemberByCode(this.codeFrom(scanned));
    if (!member) throw notFound(`No member with code "${scanned}" at hub "${this.hub.id}"`, [{ path: 'body.memberCode', message: 'Unknown member' }]);
    return member;
  }

  /** Checks out the open visit of the member a code names (the kiosk); 409 naming `body.memberCode` when they are not in. */
  async checkOutByCode(scanned: string, correlationId: string): Promise<{ member: Member; visit: Visit }> {
    const member = await this.memberByCode(scanned);
    const open = (await this.store.presence()).find((p) => p.memberId === member.id);
    if (!open) throw conflict('This member is not checked in', [{ path: 'body.memberCode', message: 'Not checked in' }]);
    return { member, visit: (await this.checkOut(open.visitId, correlationId)).visit };
  }

  /**
   * When a visit is closed automatically: the hub's closing time on the visit's day, or the end
   * of that day when the hub was closed that day or the visit began after closing.
   */
  closingInstant(visit: Pick<Visit, 'localDate' | 'checkedInAt'>): Date {
    const closed = this.hub.closedDays.includes(visit.localDate) || closingEve(this.hub, visit.localDate);
    const hours = closed ? null : this.hub.openingHours[weekdayOf(visit.localDate)];
    const endOfDay = zonedInstant(visit.localDate, '23:59:59', this.hub.timezone);
    if (!hours) return endOfDay;
    const closes = zonedInstant(visit.localDate, hours.closes, this.hub.timezone);
    return closes.getTime() > Date.parse(visit.checkedInAt) ? closes : endOfDay;
  }

  /** Closes every open visit whose closing time has passed at `now`; returns the visits it closed. */
  async closeOverdueVisits(now: Date, correlationId: string): Promise<Visit[]> {
    const closed: Visit[] = [];
    for (const entry of await this.store.presence()) {
      const visit = await this.store.getVisit(entry.visitId);
      if (!visit || visit.checkedOutAt) continue;
      const closing = this.closingInstant(visit);
      if (now.getTime() < closing.getTime()) continue;
      const result = await this.checkOut(visit.id, correlationId, closing);
      if (result.closed) closed.push(result.visit);
    }
    return closed;
  }

  /** Who is in now, with organisation and since when. */
  async presence() {
    const present = (await this.store.presence()).sort((a, b) => a.since.localeCompare(b.since));
    return {
      hubId: this.hub.id,
      date: localDate(this.clock(), this.hub.timezone),
      count: present.length,
      organisations: new Set(present.map((p) => p.organisationId)).size,
      present,
    };
  }

  /**
   * Tells the host that their guest has arrived (at least once: a retry after a failure may
   * send it again; a delivered notice is never sent twice).
   */
  async notifyHost(visitId: string, send: (mail: { to: string; subject: string; text: string }) => Promise<unknown>): Promise<'sent' | 'no-host' | 'already-sent' | 'unreachable'> {
    const visit = await this.store.getVisit(visitId);
    if (!visit?.hostMemberId || !visit.memberId) return 'no-host';
    if (await this.store.wasHostNotified(visitId)) return 'already-sent';
    const [host, guest] = await Promise.all([this.store.getMember(visit.hostMemberId), this.store.getMember(visit.memberId)]);
    if (!host?.email || !guest) return 'unreachable';
    const org = await this.store.getOrganisation(guest.organisationId);
    const time = new Date(visit.checkedInAt).toLocaleTimeString(host.language === 'en' ? 'en-GB' : 'sv-SE', { timeZone: this.hub.timezone, hour: '2-digit', minute: '2-digit' });
    const from = org ? ` (${org.name})` : '';
    const mail =
      host.language === 'en'
        ? { subject: `Your guest ${guest.name} has arrived at ${this.hub.name}`, text: `Hello ${host.name},\n\n${guest.name}${from} checked in at ${this.hub.name} at ${time} and is waiting for you.\n\n/ The hosts at ${this.hub.name}` }
        : { subject: `Din gäst ${guest.name} har kommit till ${this.hub.name}`, text: `Hej ${host.name}!\n\n${guest.name}${from} checkade in på ${this.hub.name} kl. ${time} och väntar på dig.\n\n/ Värdskapet på ${this.hub.name}` };
    await send({ to: host.email, ...mail });
    await this.store.markHostNotified(visitId, this.clock().toISOString());
    return 'sent';
  }

  /**
   * Everything the hub holds about a member (GDPR Art. 15), as JSON: one section per kind of
   * data (`sections` lists them), the hub's own first, then each holder's (bookings, …).
   */
  async exportMember(memberId: string) {
    const member = await this.member(memberId);
    const organisation = await this.store.getOrganisation(member.organisationId);
    const byCheckIn = (a: Visit, b: Visit) => a.checkedInAt.localeCompare(b.checkedInAt);
    const { calendarKey, ...rest } = member;
    const calendarUrl = calendarKey ? `/api/hubs/${this.hub.id}/members/${member.id}/calendar.ics?key=${calendarKey}` : undefined;
    const sections: ExportSection[] = [
      { key: 'member', title: 'The member as registered, with member code and QR payload', data: { ...rest, qrPayload: qrPayload(this.hub.id, member.memberCode), ...(calendarUrl ? { calendarUrl } : {}) } },
      { key: 'organisation', title: 'The organisation the member belongs to', data: organisation },
      { key: 'visits', title: 'Visits (check-ins) of the member', data: (await this.store.visitsOf(memberId)).sort(byCheckIn) },
      { key: 'hostedGuests', title: 'Guests the member hosts (pre-registered visitors)', data: (await this.store.guestsOf(memberId)).map(({ calendarKey: _k, ...g }) => g) },
      { key: 'hostedVisits', title: 'Visits on which the member hosted a guest', data: (await this.store.hostedVisitsOf(memberId)).sort(byCheckIn) },
      {
        key: 'calendar',
        title: "The member's private calendar link (the key in it is a secret; erasure removes it)",
        data: calendarUrl ? { calendarUrl } : null,
      },
    ];
    for (const holder of this.holders) sections.push(...(await holder.exportSections(memberId, { email: member.email })));
    return {
      exportedAt: this.clock().toISOString(),
      hub: { id: this.hub.id, name: this.hub.name, operator: this.hub.operator.consortium },
      ...Object.fromEntries(sections.map((s) => [s.key, s.data])),
      sections: sections.map(({ key, title }) => ({ key, title })),
      purposes: [
        'Check-in and presence at the hub (legitimate interest of the operator)',
        'Bookings of desks, rooms and event spaces, and the calendar feed of them',
        'Telling a host that their guest has arrived (e-mail)',
        'Anonymous counts of visits per organisation and day for national reporting (no personal data leaves the hub)',
        'Research studies the member consented to (or, for a public-interest study, did not opt out of): rows under a per-study pseudonym, never name, e-mail or member code (docs/research.md)',
      ],
    } as { exportedAt: string; hub: { id: string; name: string; operator: string }; member: Omit<Member, 'calendarKey'> & { qrPayload: string; calendarUrl?: string }; organisation: Organisation | undefined; visits: Visit[]; sections: Array<{ key: string; title: string }>; purposes: string[]; [section: string]: unknown };
  }

  /**
   * Erases a member everywhere (GDPR Art. 17). In order: the open visit is checked out; every
   * holder forgets the member while their name and e-mail are still known (future bookings
   * cancelled, past ones anonymised, guests and hosted visits unlinked, mails deleted); then one
   * transaction deletes the member, guards, search tokens and presence row, gives the seat back,
   * leaves a tombstone and publishes `MemberErased`; last, everything is swept again by id
   * (whatever raced the erasure, the visits, events waiting in the outbox). Every step is
   * idempotent: erasing again after a failure finishes the job and answers the same.
   */
  async eraseMember(memberId: string, correlationId: string): Promise<{ id: string; erased: true; erasedAt: string }> {
    const member = await this.store.getMember(memberId);
    if (!member) {
      const erasedAt = await this.store.erasedAt(memberId);
      if (!erasedAt) throw notFound(`No member "${memberId}" at hub "${this.hub.id}"`, [{ path: 'path.memberId', message: 'Unknown member' }]);
      await this.sweep({ memberId }, correlationId);
      return { id: memberId, erased: true, erasedAt };
    }
    const open = (await this.store.presence()).find((p) => p.memberId === memberId);
    if (open) await this.checkOut(open.visitId, correlationId);
    await this.forgetEverywhere({ memberId, name: member.name, email: member.email }, correlationId);
    // What was sent to or registered under an e-mail the member had before a change.
    for (const former of member.formerEmails ?? []) await this.forgetEverywhere({ memberId, name: member.name, email: former }, correlationId);
    const org = await this.store.getOrganisation(member.organisationId);
    const ctx = this.ctx(correlationId);
    const erasedAt = ctx.now.toISOString();
    const event = buildEvent('MemberErased', { memberId, erasedAt }, ctx);
    await this.store.eraseMember(member, searchTokens(member, org?.name ?? ''), [event], erasedAt);
    if (member.agreementScope === 'network' && member.agreementId) {
      await this.network?.releaseSeat({ id: member.agreementId, organisationId: member.organisationId }, { hubId: this.hub.id, memberId });
    }
    await this.sweep({ memberId }, correlationId);
    return { id: memberId, erased: true, erasedAt: (await this.store.erasedAt(memberId)) ?? erasedAt };
  }

  private async forgetEverywhere(person: ErasedPerson, correlationId: string): Promise<void> {
    await this.store.unlinkHost(person.memberId);
    for (const holder of this.holders) await holder.forget(person, correlationId);
  }

  /** The pass by id after the member item is gone. */
  private async sweep(person: ErasedPerson, correlationId: string): Promise<void> {
    await this.forgetEverywhere(person, correlationId);
    await this.store.anonymiseVisits(person.memberId);
    await this.store.forgetOutboxEvents(person.memberId);
  }
}
