/**
 * The security headers of the one origin: the single source for CloudFront's response headers
 * policies (infra/constructs/web.ts) and the local runtime's front door (local/http-server.ts).
 *
 * - The app and its pages (`/`, `/consent.html`, `/survey.html`, their scripts and styles) get
 *   {@link appCsp}: scripts, styles, images and requests from the same origin only, plus the
 *   Cognito managed-login domain for `connect-src` on AWS (the token endpoint of the code flow).
 * - API responses (`/api/*`) get {@link API_CSP} unless the function sets its own (the report
 *   page and the cancel page do: they need their inline styles); JSON needs nothing.
 */

/** HSTS: two years, subdomains included (browsers ignore it over plain http, so it is harmless locally). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** The headers every response carries besides the CSP (names in lower case, as Node and CloudFront take them). */
export const COMMON_SECURITY_HEADERS = {
  'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * The CSP of the staff app and the member pages. `connectTo` adds origins the app may call besides
 * its own (on AWS the Cognito managed-login domain, `https://<prefix>.auth.<region>.amazoncognito.com`).
 */
export function appCsp(connectTo: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectTo].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The CSP of API responses that set none of their own: JSON loads nothing and is never framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** All security headers of the app and pages. */
export function appSecurityHeaders(connectTo: string[] = []): Record<string, string> {
  return { 'content-security-policy': appCsp(connectTo), ...COMMON_SECURITY_HEADERS };
}

/** All security headers of API responses (a function's own CSP wins: see `override` in the CloudFront policy). */
export function apiSecurityHeaders(): Record<string, string> {
  return { 'content-security-policy': API_CSP, ...COMMON_SECURITY_HEADERS };
}
