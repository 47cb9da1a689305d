import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { forbidden, unauthorized } from './errors.ts';

/** Who is calling: the roles and the hubs their groups grant. */
export interface Principal {
  subject: string;
  staffHubs: ReadonlySet<string>;
  national: boolean;
  researcher: boolean;
}

/** Where tokens come from: a Cognito user pool on AWS, the local identity provider locally. */
export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

/** Reads the auth settings from the function's environment. */
export function authConfigFromEnv(env = process.env): AuthConfig {
  const issuer = env.AUTH_ISSUER;
  const audience = env.AUTH_AUDIENCE;
  if (!issuer || !audience) throw new Error('AUTH_ISSUER and AUTH_AUDIENCE must be set');
  return { issuer, audience, jwksUrl: env.AUTH_JWKS_URL ?? `${issuer}/.well-known/jwks.json` };
}

/** Turns Cognito groups (`staff-<hubId>`, `national`, `researcher`) into a principal. */
export function principalFromClaims(claims: JWTPayload): Principal {
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];
  return {
    subject: String(claims.sub ?? ''),
    staffHubs: new Set(groups.filter((g) => g.startsWith('staff-')).map((g) => g.slice('staff-'.length))),
    national: groups.includes('national'),
    researcher: groups.includes('researcher'),
  };
}

/** How far a token's `iat` may lie ahead of this clock (seconds): clock skew between Cognito and Lambda. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * Verifies bearer tokens the way API Gateway's JWT authorizer does for Cognito: signature
 * against the pool's JWKS, issuer, audience (`aud` of ID tokens, `client_id` of access
 * tokens), expiry and issue time (`iat` at most {@link MAX_CLOCK_SKEW_SECONDS} ahead). Runs in the function so that every 401 has the contract's JSON body.
 */
export function createVerifier(config: AuthConfig) {
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 5_000 });
  return async function verify(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) throw unauthorized('Missing "Authorization: Bearer <token>" header');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, { issuer: config.issuer, algorithms: ['RS256'], requiredClaims: ['exp', 'sub'] }));
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthorized('The token has expired');
      if (e instanceof joseErrors.JWTClaimValidationFailed) throw unauthorized(`The token's "${e.claim}" claim is not accepted`);
      if (e instanceof joseErrors.JOSEError) throw unauthorized('The token could not be verified');
      throw e;
    }
    // jose checks `iat` only together with maxTokenAge; a token from the future is refused here.
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
      throw unauthorized('The token\'s "iat" claim is not accepted: it lies in the future');
    }
    const tokenUse = payload.token_use;
    const audienceOk = tokenUse === 'access' ? payload.client_id === config.audience : tokenUse === 'id' && payload.aud === config.audience;
    if (!audienceOk) throw unauthorized('The token was not issued for this application');
    return principalFromClaims(payload);
  };
}

/** Throws 403 unless the principal is staff of this hub. */
export function requireStaffOf(principal: Principal, hubId: string): void {
  if (!principal.staffHubs.has(hubId)) throw forbidden(`Only staff of hub "${hubId}" may do this`);
}

/** Throws 403 unless the principal is a national administrator. */
export function requireNational(principal: Principal): void {
  if (!principal.national) throw forbidden('Only national administrators may do this');
}
