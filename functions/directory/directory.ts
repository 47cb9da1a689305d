import type { z } from 'zod';
import type { OrganisationType } from '../../events/catalog.ts';
import type { HubConfig } from '../../hubs/schema.ts';
import { badRequest, conflict, notFound } from '../shared/errors.ts';
import { buildEvent, type OutgoingEvent } from '../domain/events.ts';
import { fold } from '../domain/identity.ts';
import type { ErasedPerson, ExportSection, PersonalDataHolder } from '../domain/privacy.ts';
import type { Clock } from '../domain/time.ts';

/**
 * The network directory (opt-in): a member may publish a profile that staff of every hub can
 * search, so that the hosts can broker introductions between visits. Published only with the
 * member's consent (recorded with the version of the text they agreed to), withdrawn at once
 * everywhere, part of the member's export, gone on erasure. No e-mail: contact goes through the
 * member's home hub.
 */

/** The consent text the member agrees to at the desk; a new wording is a new version. */
export const DIRECTORY_CONSENT = {
  version: 'directory-2026-11',
  sv: 'Jag vill synas i samverkanshubbarnas nätverkskatalog. Personal på alla hubbar i nätverket får se mitt namn, min organisation, min roll, mina kompetenser, vad man kan fråga mig om och min hemmahubb, så att värdskapet kan förmedla kontakter. Jag kan när som helst ta tillbaka mitt samtycke; då tas profilen bort direkt.',
  en: 'I want to be listed in the hub network directory. Staff of every hub in the network may see my name, organisation, role, competences, what to ask me about and my home hub, so that the hosts can introduce people. I can withdraw my consent at any time; the profile is then removed at once.',
} as const;

/** At most this many words of a profile are searchable (name and organisation first). */
export const MAX_TOKENS = 40;

/** What the member chooses to show. */
export interface DirectoryProfileInput {
  role?: string | undefined;
  competences?: string[] | undefined;
  askMeAbout?: string | undefined;
  /** The version of the consent text the member agreed to: must be the current one. */
  consentVersion: string;
}

/** A published profile, as staff of any hub see it. */
export interface DirectoryProfile {
  memberId: string;
  /** The home hub. */
  hubId: string;
  name: string;
  organisationId: string;
  organisationName: string;
  organisationType: z.infer<typeof OrganisationType>;
  role?: string;
  competences: string[];
  askMeAbout?: string;
  publishedAt: string;
  updatedAt: string;
}

/** One opt-in: when, to which text, and when it was withdrawn. */
export interface DirectoryConsent {
  textVersion: string;
  givenAt: string;
  withdrawnAt?: string;
}

/** What the member's hub keeps: the consents (shown in the export) and the profile while published. */
export interface DirectoryRecord {
  memberId: string;
  hubId: string;
  /** Raised at every write; the network copy keeps the profile of the highest. */
  rev?: number;
  profile?: DirectoryProfile;
  consents: DirectoryConsent[];
}

/** A write of the member's record found it changed since it was read: read again. */
export class DirectoryRecordChanged extends Error {}

/** The member's hub's part: the record and its events, written together (outbox). */
export interface DirectoryRecords {
  get(memberId: string): Promise<DirectoryRecord | undefined>;
  /** Writes the record if its `rev` is still `prevRev` (absent: no record); else {@link DirectoryRecordChanged}. */
  put(record: DirectoryRecord, events: OutgoingEvent[], prevRev: number | undefined): Promise<void>;
  delete(memberId: string, events: OutgoingEvent[]): Promise<void>;
}

/** An index entry found by a search: the profile, and the word it was found by (text search). */
export interface IndexHit {
  profile: DirectoryProfile;
  token?: string;
}

/** The network-wide part: the searchable copy every hub's staff read, written synchronously. */
export interface DirectoryIndex {
  /** Writes the profile of the record's revision `rev`, unless one of a higher revision is there already. */
  put(profile: DirectoryProfile, tokens: string[], rev: number): Promise<void>;
  /** Removes the profile and its index entries; nothing when there is none. */
  remove(hubId: string, memberId: string): Promise<void>;
  /**
   * Walks the index in order (by a word's prefix, or the whole list by name), filtered by home
   * hub and organisation type, keeping the hits `keep` accepts, until `limit` are kept or the
   * walk is done; a bounded number of entries is read per call. `nextCursor` goes on from there.
   */
  search(q: { prefix?: string | undefined; hub?: string | undefined; organisationType?: string | undefined; limit: number; cursor?: string | undefined }, keep: (hit: IndexHit) => boolean): Promise<{ hits: DirectoryProfile[]; nextCursor?: string }>;
}

/** What the directory needs to know of the hub's members. */
export interface MemberLookup {
  getMember(id: string): Promise<{ id: string; name: string; organisationId: string } | undefined>;
  getOrganisation(id: string): Promise<{ id: string; name: string; type: z.infer<typeof OrganisationType> } | undefined>;
}

/** The words of a text as the directory indexes and searches them: folded, split at spaces, dots, @ and hyphens. */
export function words(text: string): string[] {
  return fold(text)
    .split(/[\s.@-]+/)
    .filter((w) => w.length > 0);
}

/** The searchable words of a profile: name, organisation, role, competences, then "ask me about"; at most {@link MAX_TOKENS}. */
export function profileTokens(p: Pick<DirectoryProfile, 'name' | 'organisationName' | 'role' | 'competences' | 'askMeAbout'>): string[] {
  const all = [p.name, p.organisationName, p.role ?? '', ...p.competences, p.askMeAbout ?? ''].flatMap(words).filter((w) => w.length >= 2);
  return [...new Set(all)].slice(0, MAX_TOKENS);
}

/** Whether every query word starts a word of the profile. */
export function matches(tokens: string[], query: string[]): boolean {
  return query.every((q) => tokens.some((t) => t.startsWith(q)));
}

/**
 * The directory of one hub's members (publish, withdraw, export, erase) and the network-wide
 * search. A `PersonalDataHolder`: the member's export shows the profile and consents, and
 * erasure removes both, the network copy first.
 */
export class DirectoryService implements PersonalDataHolder {
  constructor(
    private readonly hub: Pick<HubConfig, 'id' | 'name'>,
    private readonly records: DirectoryRecords,
    private readonly index: DirectoryIndex,
    private readonly members: MemberLookup,
    private readonly clock: Clock,
  ) {}

  private ctx(correlationId: string) {
    return { hubId: this.hub.id, correlationId, now: this.clock() };
  }

  private async member(memberId: string) {
    const member = await this.members.getMember(memberId);
    if (!member) throw notFound(`No member "${memberId}" at hub "${this.hub.id}"`, [{ path: 'path.memberId', message: 'Unknown member' }]);
    return member;
  }

  /** The member's directory state: the profile if published, the consents, and the current consent text. */
  async state(memberId: string) {
    await this.member(memberId);
    const record = await this.records.get(memberId);
    return { memberId, published: Boolean(record?.profile), ...(record?.profile ? { profile: record.profile } : {}), consents: record?.consents ?? [], consentText: DIRECTORY_CONSENT };
  }

  /**
   * Publishes or changes the member's profile, with their consent to the current text. The
   * member's hub records the consent and the profile with `DirectoryProfilePublished` first, then
   * the network copy is written in the same request: searchable at every hub when this returns.
   */
  async publish(memberId: string, input: DirectoryProfileInput, correlationId: string): Promise<DirectoryProfile> {
    if (input.consentVersion !== DIRECTORY_CONSENT.version) {
      throw badRequest('Invalid request: body.consentVersion', [{ path: 'body.consentVersion', message: `Show the member the current consent text (version "${DIRECTORY_CONSENT.version}") and send its version` }]);
    }
    const member = await this.member(memberId);
    const org = await this.members.getOrganisation(member.organisationId);
    if (!org) throw notFound(`The member's organisation "${member.organisationId}" is unknown`, [{ path: 'path.memberId', message: 'Member without organisation' }]);
    for (let attempt = 1; ; attempt++) {
      const ctx = this.ctx(correlationId);
      const now = ctx.now.toISOString();
      const record = (await this.records.get(memberId)) ?? { memberId, hubId: this.hub.id, consents: [] };
      const profile: DirectoryProfile = {
        memberId,
        hubId: this.hub.id,
        name: member.name,
        organisationId: org.id,
        organisationName: org.name,
        organisationType: org.type,
        ...(input.role ? { role: input.role } : {}),
        competences: [...new Set(input.competences ?? [])],
        ...(input.askMeAbout ? { askMeAbout: input.askMeAbout } : {}),
        publishedAt: record.profile?.publishedAt ?? now,
        updatedAt: now,
      };
      const open = record.consents.find((c) => !c.withdrawnAt && c.textVersion === input.consentVersion);
      const consents = open ? record.consents : [...record.consents.map((c) => (c.withdrawnAt ? c : { ...c, withdrawnAt: now })), { textVersion: input.consentVersion, givenAt: now }];
      const fields = [...(profile.role ? ['role' as const] : []), ...(profile.competences.length ? ['competences' as const] : []), ...(profile.askMeAbout ? ['askMeAbout' as const] : [])];
      const event = buildEvent(
        'DirectoryProfilePublished',
        { memberId, hubId: this.hub.id, organisationId: org.id, organisationType: org.type, consentVersion: input.consentVersion, changed: Boolean(record.profile), fields, publishedAt: now },
        ctx,
      );
      const rev = (record.rev ?? 0) + 1;
      try {
        await this.records.put({ ...record, rev, profile, consents }, [event], record.rev);
      } catch (e) {
        if (!(e instanceof DirectoryRecordChanged)) throw e;
        await backOff(attempt);
        continue;
      }
      await this.index.put(profile, profileTokens(profile), rev);
      // A withdrawal that ran between the two writes wins: never searchable without consent.
      if (!(await this.records.get(memberId))?.profile) await this.index.remove(this.hub.id, memberId);
      return profile;
    }
  }

  /**
   * Opt-out: the network copy is removed first (gone at every hub when this returns), then the
   * hub keeps only the consent record, marked withdrawn, and publishes `DirectoryProfileWithdrawn`.
   * Withdrawing what is not published changes nothing.
   */
  async withdraw(memberId: string, correlationId: string) {
    await this.member(memberId);
    for (let attempt = 1; ; attempt++) {
      await this.index.remove(this.hub.id, memberId);
      const record = await this.records.get(memberId);
      if (!record?.profile) return { memberId, published: false as const, consents: record?.consents ?? [] };
      const ctx = this.ctx(correlationId);
      const now = ctx.now.toISOString();
      const { profile: _p, ...rest } = record;
      const consents = record.consents.map((c) => (c.withdrawnAt ? c : { ...c, withdrawnAt: now }));
      const event = buildEvent('DirectoryProfileWithdrawn', { memberId, hubId: this.hub.id, reason: 'opt-out', withdrawnAt: now }, ctx);
      try {
        await this.records.put({ ...rest, rev: (record.rev ?? 0) + 1, consents }, [event], record.rev);
      } catch (e) {
        // A publication came between: remove its copy too.
        if (!(e instanceof DirectoryRecordChanged)) throw e;
        await backOff(attempt);
        continue;
      }
      return { memberId, published: false as const, consents };
    }
  }

  /** The member's directory section of the export: the profile while published and every consent. */
  async exportSections(memberId: string): Promise<ExportSection[]> {
    const record = await this.records.get(memberId);
    return [
      {
        key: 'directory',
        title: 'The network directory: the profile staff of every hub can search (while published) and the consents given and withdrawn',
        data: { published: Boolean(record?.profile), profile: record?.profile ?? null, consents: (record?.consents ?? []).map((c) => ({ ...c, text: c.textVersion === DIRECTORY_CONSENT.version ? DIRECTORY_CONSENT : undefined })) },
      },
    ];
  }

  /** Erasure: the network copy, then the hub's record; `DirectoryProfileWithdrawn` (reason `member-erased`) when one was published. Idempotent. */
  async forget(person: ErasedPerson, correlationId: string): Promise<void> {
    await this.index.remove(this.hub.id, person.memberId);
    const record = await this.records.get(person.memberId);
    if (!record) return;
    const ctx = this.ctx(correlationId);
    const events = record.profile ? [buildEvent('DirectoryProfileWithdrawn', { memberId: person.memberId, hubId: this.hub.id, reason: 'member-erased', withdrawnAt: ctx.now.toISOString() }, ctx)] : [];
    await this.records.delete(person.memberId, events);
  }
}

/** Searches the published profiles of every hub: every word of `q` must start a word of the profile. */
export async function searchDirectory(index: DirectoryIndex, q: { q?: string | undefined; hub?: string | undefined; organisationType?: string | undefined; limit?: number | undefined; cursor?: string | undefined }) {
  const query = words(q.q ?? '');
  const limit = q.limit ?? 25;
  const filters = { hub: q.hub, organisationType: q.organisationType, limit, cursor: q.cursor };
  if (!query.length) return toResult(await index.search(filters, () => true));
  const driver = [...query].sort((a, b) => b.length - a.length)[0] as string;
  const found = await index.search({ ...filters, prefix: driver }, ({ profile, token }) => {
    const tokens = profileTokens(profile);
    if (!matches(tokens, query)) return false;
    // A profile with several words starting with the driver is listed once: at the first of them.
    return token === tokens.filter((t) => t.startsWith(driver)).sort()[0];
  });
  return toResult(found);
}

/** Waits a little, longer each time, before reading a changed record again; gives up with 409 after 10 tries. */
async function backOff(attempt: number): Promise<void> {
  if (attempt >= 10) throw conflict('The directory profile kept changing meanwhile; try again', [{ path: 'path.memberId', message: 'Changed concurrently' }]);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * attempt));
}

function toResult(r: { hits: DirectoryProfile[]; nextCursor?: string }) {
  return { profiles: r.hits, ...(r.nextCursor ? { nextCursor: r.nextCursor } : {}) };
}
