import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type Adapter, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { loadHubs } from '../hubs/load.ts';
import { LOCAL } from './cfn.ts';
import type { AppConfig } from '../web/auth.ts';
import { groupsFor, type LocalIdp, type Role } from './idp.ts';

/** Where the local OpenID provider is mounted on the runtime's own origin. */
export const OIDC_MOUNT = '/oidc';

/** The one password of every seeded local user: a local stand-in, not a secret. */
export const LOCAL_PASSWORD = 'samverkan';

/** A seeded local user: staff of one hub, a national administrator or a researcher. */
export interface LocalUser {
  username: string;
  role: Role;
  hub?: string;
  email: string;
}

/** The seeded users: `<hubId>-staff` for every hub file, `national` and `researcher`. */
export function seededUsers(hubIds: string[] = loadHubs().map((h) => h.id)): LocalUser[] {
  return [
    ...hubIds.map((hub) => ({ username: `${hub}-staff`, role: 'staff' as const, hub, email: `${hub}-staff@local.samverkan` })),
    { username: 'national', role: 'national', email: 'national@local.samverkan' },
    { username: 'researcher', role: 'researcher', email: 'researcher@local.samverkan' },
  ];
}

/** The staff app's settings (`/config.json`): one shape, defined by the app (web/auth.ts). */
export type { AppConfig };

/** The settings of the staff app served by this runtime at `url`. */
export function localAppConfig(url: string): AppConfig {
  return { oidc: { authority: `${url}${OIDC_MOUNT}`, clientId: LOCAL.userPoolClientId, redirectUri: `${url}/`, postLogoutRedirectUri: `${url}/`, scope: 'openid email profile' } };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}input{display:block;width:100%;padding:.4rem;font-size:1rem}button{margin-top:.8rem;padding:.5rem 1rem;font-size:1rem}.error{color:#a00}.hint{color:#555;font-size:.9rem}</style></head><body>${body}</body></html>`;
}

function loginPage(action: string, username: string, error?: string): string {
  return page(
    'Logga in – samverkan (lokalt)',
    `<h1>Logga in · Sign in</h1>
<p class="hint">Lokal inloggning för utveckling (ingen MFA). Local stand-in for the Cognito sign-in; users and password: README.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label>Användarnamn · Username <input name="username" id="username" value="${escapeHtml(username)}" required autofocus></label>
<label>Lösenord · Password <input name="password" id="password" type="password" required></label>
<button type="submit" id="sign-in">Logga in · Sign in</button>
</form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error('The form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const sameSecret = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

/**
 * The provider's state (sessions, codes, refresh tokens) in this process's memory: a restart of
 * the runtime signs everyone out (the app then sends them to sign-in, keeping what they typed).
 * Our own rather than the library's built-in one: that one is not exported, logs "development-only
 * … you MUST change it" on every start, and is one LRU of 1,000 entries shared by every provider
 * in the process (the tests start several), so sessions could be evicted under another's load.
 */
function memoryAdapter(): (name: string) => Adapter {
  const store = new Map<string, AdapterPayload>();
  const timers = new Map<string, NodeJS.Timeout>();
  const forget = (key: string) => {
    const uid = store.get(key)?.uid;
    if (typeof uid === 'string') store.delete(`${key.split(':')[0]}:uid:${uid}`);
    store.delete(key);
    clearTimeout(timers.get(key));
    timers.delete(key);
  };
  return (name) => ({
    async upsert(id, payload, expiresIn) {
      const key = `${name}:${id}`;
      forget(key);
      store.set(key, payload);
      if (payload.grantId) store.set(`grant:${payload.grantId}:${key}`, {});
      if (payload.uid) store.set(`${name}:uid:${payload.uid}`, { id });
      // Node's timers reach 24.8 days; longer-lived entries stay (the provider checks expiry itself on use).
      if (expiresIn && expiresIn * 1000 < 2 ** 31) timers.set(key, setTimeout(() => forget(key), expiresIn * 1000).unref());
    },
    async find(id) {
      return store.get(`${name}:${id}`);
    },
    async findByUid(uid) {
      const ref = store.get(`${name}:uid:${uid}`);
      return typeof ref?.id === 'string' ? store.get(`${name}:${ref.id}`) : undefined;
    },
    async findByUserCode() {
      return undefined; // no device flow here
    },
    async consume(id) {
      const payload = store.get(`${name}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      forget(`${name}:${id}`);
    },
    async revokeByGrantId(grantId) {
      const prefix = `grant:${grantId}:`;
      for (const key of [...store.keys()].filter((k) => k.startsWith(prefix))) {
        store.delete(key);
        forget(key.slice(prefix.length));
      }
    },
  });
}

/**
 * The local stand-in OpenID provider (`oidc-provider`, certified), mounted at {@link OIDC_MOUNT}
 * on the runtime's origin. It signs with the local identity provider's key under the same
 * issuer as `npm run token`, and its ID tokens carry Cognito's claims (`cognito:groups`,
 * `token_use`, `aud` = the client id, `email`, `sub`), so the API verifies both the same way.
 * One public client, the staff app: authorization code with PKCE, refresh tokens, RP-initiated logout.
 */
export function createLocalOidc(options: { url: string; idp: LocalIdp; users?: LocalUser[] }): (req: IncomingMessage, res: ServerResponse) => void {
  const users = new Map((options.users ?? seededUsers()).map((u) => [u.username, u]));
  const config = localAppConfig(options.url);
  const interactionPath = `${OIDC_MOUNT}/interaction/`;
  const configuration: Configuration = {
    adapter: memoryAdapter(),
    // The app and the provider share the runtime's origin; browsers still send Origin on its fetches.
    clientBasedCORS: (_ctx, origin) => origin === new URL(options.url).origin,
    clients: [
      {
        client_id: LOCAL.userPoolClientId,
        client_name: 'samverkan staff app',
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [config.oidc.redirectUri],
        post_logout_redirect_uris: [config.oidc.postLogoutRedirectUri],
      },
    ],
    jwks: { keys: [options.idp.privateJwk] },
    cookies: { keys: [createHash('sha256').update(`cookies:${options.idp.privateJwk.d ?? ''}`).digest('base64url')] },
    claims: { openid: ['sub', 'cognito:groups', 'cognito:username', 'token_use'], email: ['email', 'email_verified'], profile: ['name'] },
    // The code flow only, as the app uses it on Cognito.
    responseTypes: ['code'],
    // Cognito puts the user's claims in the ID token of the code flow; so does this stand-in.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      // Cognito revokes refresh tokens too (/oauth2/revoke); a client revokes only its own tokens.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        // Cognito's /logout asks nothing: sign out at once (the form is posted by the page itself).
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            'Loggar ut – samverkan',
            `<p>Loggar ut · Signing out…</p>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"><noscript><button type="submit">Logga ut · Sign out</button></noscript></form>')}<script>document.forms[0].submit()</script>`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Utloggad – samverkan', `<p>Utloggad · Signed out.</p><p><a href="${escapeHtml(config.oidc.postLogoutRedirectUri)}">samverkan</a></p>`);
        },
      },
    },
    // Cognito issues refresh tokens without the offline_access scope; so does this stand-in.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // A first-party app: no consent screen (as with Cognito's managed login).
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    // The provider's own errors (an expired login page, a stale link): what went wrong, and a way back.
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Inloggningen gick inte – samverkan',
        `<h1>Inloggningen gick inte · Sign-in failed</h1><p class="error">${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p><p><a href="${escapeHtml(config.oidc.redirectUri)}">Börja om · Start again</a></p>`,
      );
    },
    interactions: { url: (_ctx, interaction) => `${interactionPath}${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          'cognito:groups': groupsFor(user.role, user.hub),
          'cognito:username': user.username,
          token_use: 'id',
          email: user.email,
          email_verified: true,
          name: user.username,
        }),
      };
    },
    ttl: { IdToken: 3600, AccessToken: 3600, RefreshToken: 12 * 3600, Session: 30 * 86_400, Interaction: 3600, Grant: 30 * 86_400 },
  };
  const provider = new Provider(options.idp.issuer, configuration);
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string) {
    const details = await provider.interactionDetails(req, res);
    const action = `${interactionPath}${details.uid}`;
    if (details.prompt.name !== 'login') {
      // Consent is granted by loadExistingGrant; anything else goes back to the provider.
      return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    }
    if (req.method === 'POST' && path === action) {
      const form = await readForm(req);
      const username = (form.get('username') ?? '').trim();
      const user = users.get(username);
      if (!user || !sameSecret(form.get('password') ?? '', LOCAL_PASSWORD)) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(loginPage(action, username, 'Fel användarnamn eller lösenord · Wrong username or password'));
        return;
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(action, ''));
  }

  return (req, res) => {
    const original = req.url ?? '/';
    const path = original.split('?')[0] ?? '/';
    if (path.startsWith(interactionPath)) {
      interaction(req, res, path).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Inloggningen gick inte', `<p class="error">${escapeHtml(e.message)}</p><p><a href="${escapeHtml(config.oidc.redirectUri)}">Börja om · Start again</a></p>`));
      });
      return;
    }
    // Mounted under /oidc: the provider sees the rest of the path and finds its mount point in originalUrl.
    Object.assign(req, { originalUrl: original });
    req.url = original.slice(OIDC_MOUNT.length) || '/';
    void callback(req, res);
  };
}
