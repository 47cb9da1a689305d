import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL } from './cfn.ts';

/** The roles a local token can carry. */
export type Role = 'staff' | 'national' | 'researcher';

/** The local stand-in for the Cognito user pool: one RSA key, kept in the data folder. */
export interface LocalIdp {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  /** The signing key itself: the local OpenID provider (local/oidc.ts) signs with it too. */
  privateJwk: JWK;
  /** `issuedAt` (epoch seconds, default now) lets tests mint tokens from a skewed clock. */
  sign(claims: { role: Role; hub?: string; subject?: string; email?: string; expiresInSeconds?: number; issuedAt?: number }): Promise<string>;
}

/** The issuer the local runtime's templates resolve to (Cognito's URL form, local pool id). */
export const LOCAL_ISSUER = `https://cognito-idp.${LOCAL.region}.${LOCAL.urlSuffix}/${LOCAL.userPoolId}`;

/** Cognito groups for a role: `staff-<hub>`, `national` or `researcher`. */
export function groupsFor(role: Role, hub?: string): string[] {
  if (role === 'staff') {
    if (!hub) throw new Error('A staff token needs --hub <hubId>');
    return [`staff-${hub}`];
  }
  return [role];
}

/** Loads the local signing key from `<dir>/key.json`, creating it on first use. */
export async function loadIdp(dir: string): Promise<LocalIdp> {
  const file = join(dir, 'key.json');
  let privateJwk: JWK;
  if (existsSync(file)) privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  else {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK; // another process created it first
    }
  }
  const kid = privateJwk.kid;
  if (!kid) throw new Error(`${file} holds a key without a "kid": delete it to make a new one`);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const key = await importJWK(privateJwk, 'RS256');
  return {
    issuer: LOCAL_ISSUER,
    audience: LOCAL.userPoolClientId,
    jwks: { keys: [publicJwk] },
    privateJwk,
    async sign({ role, hub, subject, email, expiresInSeconds = 8 * 3600, issuedAt }) {
      const sub = subject ?? randomUUID();
      return new SignJWT({
        'cognito:groups': groupsFor(role, hub),
        token_use: 'id',
        email: email ?? `${role}${hub ? `.${hub}` : ''}@local.samverkan`,
        'cognito:username': sub,
      })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL.userPoolClientId)
        .setSubject(sub)
        .setIssuedAt(issuedAt)
        .setExpirationTime((issuedAt ?? Math.floor(Date.now() / 1000)) + expiresInSeconds)
        .sign(key);
    },
  };
}
