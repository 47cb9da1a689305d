import * as z from 'zod';
import { OrganisationType } from '../../events/catalog.ts';
import { HubId } from '../../hubs/schema.ts';
import { line, multiline, trimmed } from '../api/fields.ts';
import { route } from '../api/route.ts';

/** The network directory part of API v1: opt-in profiles at the member's hub, search across hubs. */

/** `PUT /api/hubs/{hubId}/members/{memberId}/directory-profile` body: what the member shows, and the consent text version they agreed to. */
export const DirectoryProfileBody = z
  .object({
    role: trimmed(120).optional(),
    competences: z.array(trimmed(60)).max(15, 'At most 15 competences').optional(),
    askMeAbout: multiline(500).optional(),
    consentVersion: trimmed(60),
  })
  .strict();

/** A published profile. */
export const DirectoryProfileResponse = z.object({
  memberId: z.string(),
  hubId: HubId,
  hubName: z.string().optional(),
  name: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  organisationType: OrganisationType,
  role: z.string().optional(),
  competences: z.array(z.string()),
  askMeAbout: z.string().optional(),
  publishedAt: z.string(),
  updatedAt: z.string(),
});

const Consent = z.object({ textVersion: z.string(), givenAt: z.string(), withdrawnAt: z.string().optional() });

/** The member's directory state at their hub. */
export const DirectoryStateResponse = z.object({
  memberId: z.string(),
  published: z.boolean(),
  profile: DirectoryProfileResponse.optional(),
  consents: z.array(Consent),
  consentText: z.object({ version: z.string(), sv: z.string(), en: z.string() }).optional(),
});

/** `GET /api/directory` query. */
export const DirectorySearchQuery = z
  .object({
    q: line(100).optional(),
    hub: HubId.optional(),
    organisationType: OrganisationType.optional(),
    limit: z.coerce.number().int().min(1, 'At least 1').max(100, 'At most 100').optional(),
    cursor: line(1000).optional(),
  })
  .strict();

const profilePath = '/api/hubs/{hubId}/members/{memberId}/directory-profile';

/** Served by each hub's API (the member's hub); appended to `hubRoutes`. */
export const directoryHubRoutes = [
  route({ operationId: 'getDirectoryProfile', method: 'GET', path: profilePath, summary: "The member's network-directory state: the profile if published, the consents, and the current consent text to show them", access: 'staff', response: DirectoryStateResponse, status: 200 }),
  route({ operationId: 'publishDirectoryProfile', method: 'PUT', path: profilePath, summary: 'Opt the member in to the network directory (with their consent to the current text) or change the profile: searchable by staff of every hub at once', access: 'staff', body: DirectoryProfileBody, response: DirectoryProfileResponse, status: 200 }),
  route({ operationId: 'withdrawDirectoryProfile', method: 'DELETE', path: profilePath, summary: 'Opt-out: the profile is removed from the network directory at once, everywhere; the consent record stays with the member', access: 'staff', response: DirectoryStateResponse, status: 200 }),
];

/** Served by the national API; appended to `nationalRoutes`. */
export const directoryNationalRoutes = [
  route({ operationId: 'searchDirectory', method: 'GET', path: '/api/directory', summary: 'Search the network directory: profiles members of every hub opted in to; every word must start a word of name, organisation, role, competences or "ask me about"; filters by home hub and organisation type; a page at a time (`nextCursor`). Staff of any hub and national administrators', access: 'staff-any-hub', query: DirectorySearchQuery, response: z.object({ profiles: z.array(DirectoryProfileResponse), nextCursor: z.string().optional() }), status: 200 }),
];
