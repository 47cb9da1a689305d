import type { z } from 'zod';
import type { Membership, OrganisationType } from '../../events/catalog.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { conflict, notFound } from '../shared/errors.ts';
import { buildEvent, type OutgoingEvent } from './events.ts';
import { newId, newMemberCode, normaliseMemberCode } from './ids.ts';
import { canonicalOrgNumber } from './orgnumber.ts';
import { localDate, type Clock } from './time.ts';
import { badRequest } from '../shared/errors.ts';

/** An organisation registered at a hub. */
export interface Organisation {
  id: string;
  hubId: string;
  name: string;
  type: z.infer<typeof OrganisationType>;
  orgNumber?: string;
  homeMunicipality?: string;
  createdAt: string;
}

/** A member of a hub (personal data: never leaves the hub table except to staff). */
export interface Member {
  id: string;
  hubId: string;
  memberCode: string;
  name: string;
  email: string;
  organisationId: string;
  employerLocation?: string;
  membership: z.infer<typeof Membership>;
  createdAt: string;
}

/** A visit: one check-in, open until checked out. */
export interface Visit {
  id: string;
  hubId: string;
  memberId: string;
  organisationId: string;
  checkedInAt: string;
  localDate: string;
  checkedOutAt?: string;
}

/** What a hub needs from storage. Each write stores the state and its events atomically (outbox). */
export interface HubStore {
  /** Stores a new organisation; throws `OrgNumberTaken` when the org number is registered here already. */
  createOrganisation(org: Organisation, events: OutgoingEvent[]): Promise<void>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
  /** Stores a new member; throws `EmailTaken` or `MemberCodeTaken` on uniqueness conflicts. */
  createMember(member: Member, events: OutgoingEvent[]): Promise<void>;
  getMember(id: string): Promise<Member | undefined>;
  getMemberByCode(code: string): Promise<Member | undefined>;
  /** Opens a visit unless the member has one open; returns the open one then. */
  openVisit(visit: Visit, events: OutgoingEvent[]): Promise<{ created: true; visit: Visit } | { created: false; visit: Visit }>;
}

/** A uniqueness rule was hit in storage. */
export class UniqueConflict extends Error {
  constructor(readonly field: 'orgNumber' | 'email' | 'memberCode') {
    super(`${field} already taken`);
  }
}

/** Input of registerOrganisation, already validated for shape. */
export interface OrganisationInput {
  name: string;
  type: Organisation['type'];
  orgNumber?: string | undefined;
  homeMunicipality?: string | undefined;
}

/** Input of registerMember, already validated for shape. */
export interface MemberInput {
  name: string;
  email: string;
  organisationId: string;
  employerLocation?: string | undefined;
  membership: Member['membership'];
}

/** The hub's use cases; knows nothing of AWS. */
export class HubService {
  constructor(
    private readonly hub: HubConfig,
    private readonly store: HubStore,
    private readonly clock: Clock,
  ) {}

  private ctx(correlationId: string) {
    return { hubId: this.hub.id, correlationId, now: this.clock() };
  }

  /** Registers an organisation at this hub. */
  async registerOrganisation(input: OrganisationInput, correlationId: string): Promise<Organisation> {
    let orgNumber: string | undefined;
    if (input.orgNumber !== undefined) {
      orgNumber = canonicalOrgNumber(input.orgNumber);
      if (!orgNumber) throw badRequest('Invalid request: body.orgNumber', [{ path: 'body.orgNumber', message: 'Not a valid Swedish organisation number (NNNNNN-NNNN with a correct check digit)' }]);
    }
    const ctx = this.ctx(correlationId);
    const org: Organisation = {
      id: newId('org'),
      hubId: this.hub.id,
      name: input.name.trim(),
      type: input.type,
      ...(orgNumber ? { orgNumber } : {}),
      ...(input.homeMunicipality ? { homeMunicipality: input.homeMunicipality.trim() } : {}),
      createdAt: ctx.now.toISOString(),
    };
    const event = buildEvent(
      'OrganisationRegistered',
      { organisationId: org.id, name: org.name, type: org.type, orgNumber: org.orgNumber, homeMunicipality: org.homeMunicipality },
      ctx,
    );
    try {
      await this.store.createOrganisation(org, [event]);
    } catch (e) {
      if (e instanceof UniqueConflict) throw conflict(`Organisation number ${orgNumber} is already registered at this hub`, [{ path: 'body.orgNumber', message: 'Already registered' }]);
      throw e;
    }
    return org;
  }

  /** Registers a member of a registered organisation and gives them a member code. */
  async registerMember(input: MemberInput, correlationId: string): Promise<Member> {
    const org = await this.store.getOrganisation(input.organisationId);
    if (!org) throw notFound(`No organisation "${input.organisationId}" at hub "${this.hub.id}"`, [{ path: 'body.organisationId', message: 'Unknown organisation' }]);
    const ctx = this.ctx(correlationId);
    const employerLocation = input.employerLocation?.trim() || org.homeMunicipality;
    for (let attempt = 0; ; attempt++) {
      const member: Member = {
        id: newId('mem'),
        hubId: this.hub.id,
        memberCode: newMemberCode(),
        name: input.name.trim(),
        email: input.email.trim().toLowerCase(),
        organisationId: org.id,
        ...(employerLocation ? { employerLocation } : {}),
        membership: input.membership,
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
          remoteWorker: employerLocation ? employerLocation.toLowerCase() !== this.hub.municipality.toLowerCase() : undefined,
        },
        ctx,
      );
      try {
        await this.store.createMember(member, [event]);
        return member;
      } catch (e) {
        if (e instanceof UniqueConflict && e.field === 'memberCode' && attempt < 5) continue;
        if (e instanceof UniqueConflict && e.field === 'email') throw conflict(`A member with e-mail ${member.email} is already registered at this hub`, [{ path: 'body.email', message: 'Already registered' }]);
        throw e;
      }
    }
  }

  /** Checks a member in by id or code; a member already in gets their open visit back. */
  async checkIn(input: { memberId?: string | undefined; memberCode?: string | undefined }, correlationId: string): Promise<{ created: boolean; visit: Visit }> {
    const member = input.memberId
      ? await this.store.getMember(input.memberId)
      : await this.store.getMemberByCode(normaliseMemberCode(input.memberCode ?? ''));
    if (!member) {
      const field = input.memberId ? 'body.memberId' : 'body.memberCode';
      throw notFound(`No member ${input.memberId ? `"${input.memberId}"` : `with code "${input.memberCode}"`} at hub "${this.hub.id}"`, [{ path: field, message: 'Unknown member' }]);
    }
    const org = await this.store.getOrganisation(member.organisationId);
    if (!org) throw new Error(`Member ${member.id} refers to missing organisation ${member.organisationId}`);
    const ctx = this.ctx(correlationId);
    const visit: Visit = {
      id: newId('vis'),
      hubId: this.hub.id,
      memberId: member.id,
      organisationId: member.organisationId,
      checkedInAt: ctx.now.toISOString(),
      localDate: localDate(ctx.now, this.hub.timezone),
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
      },
      ctx,
    );
    return this.store.openVisit(visit, [event]);
  }
}
