import type { consentRoutes } from '../api/consent-contract.ts';
import type { ConsentRecord, ConsentService } from '../consent/consent.ts';
import type { RouteHandlers } from '../shared/http.ts';

const consentView = (c: ConsentRecord) => ({ id: `${c.studyId}:${c.scope}`, ...c });

/** The hub API's handlers of the research consent routes (`consentRoutes`). */
export function consentHandlers(consents: ConsentService): RouteHandlers<typeof consentRoutes> {
  return {
    listConsents: async ({ params }) => ({ body: await consents.consents(params.memberId) }),
    changeConsent: async ({ params, body, correlationId }) => {
      const { changed, consent } = await consents.change(params.memberId, body, 'desk', correlationId);
      return { status: changed ? 201 : 200, body: consentView(consent) };
    },
    createConsentLink: async ({ params }) => {
      const { token, url, createdAt, expiresAt } = await consents.createLink(params.memberId);
      return { body: { id: token, url, createdAt, expiresAt } };
    },
    consentsByLink: async ({ params }) => {
      const member = await consents.memberOfLink(params.token);
      const { studies } = await consents.consents(member.id);
      // The page needs no member id: the link is the member's identity here.
      return { body: { language: member.language, studies } };
    },
    changeConsentByLink: async ({ params, body, correlationId }) => {
      const member = await consents.memberOfLink(params.token);
      const { changed, consent } = await consents.change(member.id, body, 'link', correlationId);
      // The page holds no member id: the link is the member's identity there.
      const { memberId: _m, ...rest } = consentView(consent);
      return { status: changed ? 201 : 200, body: rest };
    },
  };
}
