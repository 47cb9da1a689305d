import * as z from 'zod';
import { ConsentScope, LegalBasis } from '../../studies/schema.ts';
import { trimmed } from './fields.ts';
import { route } from './route.ts';

/** A consent given or withdrawn: `POST …/members/{memberId}/consents` and `POST /api/hubs/{hubId}/consent-links/{token}/consents`. */
export const ConsentBody = z
  .object({
    studyId: trimmed(40),
    scope: ConsentScope,
    state: z.enum(['given', 'withdrawn']),
    /** The version of the study's information text shown to the member (`information.version`). */
    textVersion: trimmed(40),
  })
  .strict();

const ConsentChange = z.object({
  state: z.enum(['given', 'withdrawn']),
  textVersion: z.string(),
  channel: z.enum(['desk', 'link']),
  changedAt: z.string(),
});

/** One consent as recorded, with its history; `id` is `<studyId>:<scope>`. */
export const ConsentResponse = ConsentChange.extend({
  id: z.string(),
  /** Left out on the member's own page (the private link). */
  memberId: z.string().optional(),
  studyId: z.string(),
  scope: ConsentScope,
  revision: z.number().int(),
  history: z.array(ConsentChange),
});

const InformationText = z.object({ heading: z.string(), body: z.string() });

/** The open studies of a member's hub, with their information text and the member's consent per scope. */
export const MemberConsentsResponse = z.object({
  memberId: z.string().optional(),
  /** The member's language (the consent page opens in it). */
  language: z.enum(['sv', 'en']).optional(),
  studies: z.array(
    z.object({
      studyId: z.string(),
      title: z.string(),
      institution: z.string(),
      principalInvestigator: z.string(),
      legalBasis: LegalBasis,
      start: z.string(),
      end: z.string(),
      information: z.object({ version: z.string(), sv: InformationText, en: InformationText }),
      scopes: z.array(
        z.object({
          scope: ConsentScope,
          state: z.enum(['given', 'withdrawn']).optional(),
          participates: z.boolean(),
          textVersion: z.string().optional(),
          channel: z.enum(['desk', 'link']).optional(),
          changedAt: z.string().optional(),
        }),
      ),
    }),
  ),
});

/** A member's private consent link; `url` is relative to the site (the staff app prints it with its origin). */
export const ConsentLinkResponse = z.object({ id: z.string(), url: z.string(), createdAt: z.string(), expiresAt: z.string() });

/** Research consent routes of a hub's API (docs/research.md, "Consent"). */
export const consentRoutes = [
  route({ operationId: 'listConsents', method: 'GET', path: '/api/hubs/{hubId}/members/{memberId}/consents', summary: "The research studies following the hub, each with its information text and the member's consent per scope", access: 'staff', response: MemberConsentsResponse, status: 200 }),
  route({ operationId: 'changeConsent', method: 'POST', path: '/api/hubs/{hubId}/members/{memberId}/consents', summary: 'Record at the desk a consent given or withdrawn (one study, one scope) with the version of the information text shown; 200 when it was so already', access: 'staff', body: ConsentBody, response: ConsentResponse, status: 201 }),
  route({ operationId: 'createConsentLink', method: 'POST', path: '/api/hubs/{hubId}/members/{memberId}/consents/links', summary: "A private link to the member's consent page (valid 30 days), to send or print", access: 'staff', response: ConsentLinkResponse, status: 201 }),
  route({ operationId: 'consentsByLink', method: 'GET', path: '/api/hubs/{hubId}/consent-links/{token}', summary: "The member's consent page data, for the holder of their private link", access: 'public', response: MemberConsentsResponse, status: 200 }),
  route({ operationId: 'changeConsentByLink', method: 'POST', path: '/api/hubs/{hubId}/consent-links/{token}/consents', summary: 'The member gives or withdraws a consent on their consent page (private link); 200 when it was so already', access: 'public', body: ConsentBody, response: ConsentResponse, status: 201 }),
];
