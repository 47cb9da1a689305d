/**
 * Sign-in through the local OpenID provider (local/oidc.ts), over plain HTTP: authorization code
 * with PKCE as the staff app does it, then the API verifies the ID token like a `npm run token`
 * token; a token for another audience is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL } from '../../local/cfn.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { LOCAL_PASSWORD } from '../../local/oidc.ts';
import { startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
beforeAll(async () => {
  network = await startTestNetwork();
});
afterAll(async () => {
  await network?.stop();
});

/** A browser's cookie jar, reduced to what one origin needs. */
class Jar {
  private cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair?.indexOf('=') ?? -1;
      if (pair && i > 0) {
        const value = pair.slice(i + 1);
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(pair.slice(0, i));
        else this.cookies.set(pair.slice(0, i), value);
      }
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows redirects by hand (keeping cookies) until a response that is not a redirect, or one to the app. */
async function follow(jar: Jar, url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
  let current = url;
  let options: RequestInit = init;
  for (let hops = 0; hops < 10; hops++) {
    const res = await fetch(current, { ...options, redirect: 'manual', headers: { ...(options.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
    current = new URL(location, current).href;
    if (current.startsWith(`${network.url}/?`)) return { res, url: current };
    options = {};
  }
  throw new Error('Too many redirects');
}

async function signIn(username: string, password = LOCAL_PASSWORD) {
  const config = (await fetch(`${network.url}/config.json`).then((r) => r.json())) as { oidc: { authority: string; clientId: string; redirectUri: string } };
  const discovery = (await fetch(`${config.oidc.authority}/.well-known/openid-configuration`).then((r) => r.json())) as { authorization_endpoint: string; token_endpoint: string; issuer: string };
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(discovery.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: config.oidc.clientId,
    redirect_uri: config.oidc.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'st4te',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const jar = new Jar();
  const login = await follow(jar, auth.href);
  expect(login.res.status).toBe(200);
  expect(await login.res.text()).toContain('name="password"');
  const posted = await follow(jar, login.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password }).toString() });
  return { config, discovery, verifier, jar, posted };
}

async function tokensFor(username: string) {
  const { config, discovery, verifier, posted } = await signIn(username);
  const back = new URL(posted.url);
  expect(back.searchParams.get('state')).toBe('st4te');
  const code = back.searchParams.get('code');
  expect(code).toBeTruthy();
  const res = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '', redirect_uri: config.oidc.redirectUri, client_id: config.oidc.clientId, code_verifier: verifier }).toString(),
  });
  expect(res.status).toBe(200);
  return { discovery, config, tokens: (await res.json()) as { id_token: string; refresh_token?: string; access_token: string } };
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('sign-in through the local OpenID provider', () => {
  it('issues, after code + PKCE, an ID token with Cognito claims that the API accepts for the staff of that hub only', async () => {
    const { tokens, discovery } = await tokensFor('umea-staff');
    expect(discovery.issuer).toBe(network.idp.issuer);
    const claims = claimsOf(tokens.id_token);
    expect(claims).toMatchObject({ iss: network.idp.issuer, aud: LOCAL.userPoolClientId, token_use: 'id', 'cognito:groups': ['staff-umea'], email: 'umea-staff@local.samverkan', sub: 'umea-staff' });
    const headers = { authorization: `Bearer ${tokens.id_token}` };
    expect((await fetch(`${network.url}/api/hubs/umea/presence`, { headers })).status).toBe(200);
    expect((await fetch(`${network.url}/api/hubs/boden/presence`, { headers })).status).toBe(403);
    // A refresh token comes with it, and renews the ID token (the app's silent renew).
    expect(tokens.refresh_token).toBeTruthy();
    const renewed = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '', client_id: LOCAL.userPoolClientId }).toString(),
    }).then((r) => r.json() as Promise<{ id_token: string }>);
    expect(claimsOf(renewed.id_token)).toMatchObject({ 'cognito:groups': ['staff-umea'], token_use: 'id' });
    expect((await fetch(`${network.url}/api/hubs/umea/presence`, { headers: { authorization: `Bearer ${renewed.id_token}` } })).status).toBe(200);
  });

  it('signs the national administrator in with the national group', async () => {
    const { tokens } = await tokensFor('national');
    expect(claimsOf(tokens.id_token)['cognito:groups']).toEqual(['national']);
    const today = new Date().toISOString().slice(0, 10);
    expect((await fetch(`${network.url}/api/national/reports?from=${today}&to=${today}`, { headers: { authorization: `Bearer ${tokens.id_token}` } })).status).toBe(200);
  });

  it('refuses a wrong password, a code flow without PKCE and an unknown client', async () => {
    const { posted } = await signIn('umea-staff', 'wrong');
    expect(posted.res.status).toBe(401);
    expect(await posted.res.text()).toContain('Fel användarnamn eller lösenord');
    const config = (await fetch(`${network.url}/config.json`).then((r) => r.json())) as { oidc: { authority: string; clientId: string; redirectUri: string } };
    const noPkce = await fetch(`${config.oidc.authority}/auth?${new URLSearchParams({ client_id: config.oidc.clientId, redirect_uri: config.oidc.redirectUri, response_type: 'code', scope: 'openid' })}`, { redirect: 'manual' });
    expect(new URL(noPkce.headers.get('location') ?? '', network.url).searchParams.get('error')).toBe('invalid_request');
    // An unknown client cannot be redirected to: the provider's error page says so and leads back to the app.
    const unknown = await fetch(`${config.oidc.authority}/auth?${new URLSearchParams({ client_id: 'nobody', redirect_uri: config.oidc.redirectUri, response_type: 'code', scope: 'openid' })}`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    const body = await unknown.text();
    expect(body).toContain('invalid_client');
    expect(body).toContain(`<a href="${config.oidc.redirectUri}">Börja om`);
  });

  it('refuses a token signed by the same key for another audience', async () => {
    const key = await importJWK(network.idp.privateJwk, 'RS256');
    const forged = await new SignJWT({ 'cognito:groups': ['staff-umea'], token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: network.idp.privateJwk.kid ?? '' })
      .setIssuer(network.idp.issuer)
      .setAudience('some-other-client')
      .setSubject('umea-staff')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    const res = await fetch(`${network.url}/api/hubs/umea/presence`, { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('The token was not issued for this application');
  });
});
