// Sign-in of the staff app: OpenID Connect authorization code with PKCE through oidc-client-ts,
// the same code locally (the runtime's stand-in provider at /oidc) and on AWS (the Cognito user
// pool and its managed login). The settings come from /config.json (docs/architecture.md § Sign-in).
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

/** The shape of /config.json, served by the local runtime and, on AWS, from the app's bucket. */
export interface AppConfig {
  oidc: {
    authority: string;
    clientId: string;
    redirectUri: string;
    postLogoutRedirectUri: string;
    scope?: string;
    /** Cognito only: the managed login's /logout (Cognito has no standard end_session_endpoint). */
    logoutEndpoint?: string;
    /** Cognito only: the managed login's /oauth2/revoke, where sign-out revokes the refresh token (its logout does not). */
    revocationEndpoint?: string;
  };
}

/** Thrown when the session is over and the page is on its way to sign-in. */
export class SessionExpired extends Error {}

const DRAFTS = 'samverkan.drafts';

/** The values typed in the page's forms, by form id and field name (passwords and hidden fields left out). */
function collectDrafts(): Record<string, Record<string, string | boolean>> {
  const drafts: Record<string, Record<string, string | boolean>> = {};
  for (const form of document.querySelectorAll<HTMLFormElement>('form[id]')) {
    const fields: Record<string, string | boolean> = {};
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input[name], select[name], textarea[name]')) {
      if (el instanceof HTMLInputElement) {
        if (el.type === 'password' || el.type === 'hidden' || el.type === 'submit') continue;
        if (el.type === 'checkbox' || el.type === 'radio') {
          if (el.checked !== el.defaultChecked) fields[el.name] = el.checked;
          continue;
        }
        if (el.value !== el.defaultValue) fields[el.name] = el.value;
      } else if (el.value) fields[el.name] = el.value;
    }
    if (Object.keys(fields).length > 0) drafts[form.id] = fields;
  }
  return drafts;
}

/** The signed-in person's session: tokens in this tab's sessionStorage (oidc-client-ts's store). */
export class Auth {
  readonly manager: UserManager;
  user: User | null = null;

  constructor(readonly config: AppConfig) {
    this.manager = new UserManager({
      authority: config.oidc.authority,
      client_id: config.oidc.clientId,
      redirect_uri: config.oidc.redirectUri,
      post_logout_redirect_uri: config.oidc.postLogoutRedirectUri,
      response_type: 'code',
      scope: config.oidc.scope ?? 'openid email profile',
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      // Renews with the refresh token before the tokens expire (Cognito and the local provider both issue one).
      automaticSilentRenew: true,
      loadUserInfo: false,
      ...(config.oidc.revocationEndpoint ? { metadataSeed: { revocation_endpoint: config.oidc.revocationEndpoint } } : {}),
    });
    this.manager.events.addUserLoaded((user) => {
      this.user = user;
    });
  }

  static async load(): Promise<Auth> {
    const res = await fetch('/config.json', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`/config.json: ${res.status}`);
    return new Auth((await res.json()) as AppConfig);
  }

  /** Finishes a sign-in redirect (`?code=&state=`) or picks up this tab's session; null when signed out. */
  async start(): Promise<User | null> {
    const params = new URLSearchParams(location.search);
    if (params.has('state') && (params.has('code') || params.has('error'))) {
      this.returnedFromSignIn = true;
      try {
        this.user = await this.manager.signinRedirectCallback();
      } finally {
        history.replaceState(null, '', location.pathname);
      }
      return this.user;
    }
    this.user = await this.manager.getUser();
    if (this.user?.expired) this.user = await this.renew();
    return this.user;
  }

  /** The Cognito groups of the signed-in person (`staff-<hubId>`, `national`, `researcher`). */
  groups(): string[] {
    const raw = this.user?.profile['cognito:groups'];
    return Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];
  }

  private renewing: Promise<User | null> | undefined;

  /** Renews the tokens with the refresh token (one renewal at a time); null when that is not possible any more. */
  renew(): Promise<User | null> {
    if (!this.user?.refresh_token) return Promise.resolve(null);
    this.renewing ??= this.manager
      .signinSilent()
      .then((user) => {
        this.user = user;
        return user;
      })
      .catch(() => null)
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }

  /** The bearer token for API v1 (the ID token: `aud` is the app's client id, as the API verifies), renewed when expired. */
  async token(): Promise<string> {
    if (this.user && !this.user.expired && this.user.id_token) return this.user.id_token;
    const renewed = await this.renew();
    if (renewed?.id_token) return renewed.id_token;
    return this.expired();
  }

  /** True when this page load finished a sign-in redirect (a fresh sign-in, not a session picked up from the tab). */
  returnedFromSignIn = false;

  /** Goes to sign-in. */
  async signIn(): Promise<void> {
    await this.manager.signinRedirect();
  }

  /**
   * Goes to sign-in and makes the provider ask for the password again, even within its own session
   * (`prompt=login`, `max_age=0`: the new ID token's `auth_time` says when). How the kiosk is left.
   */
  async reauthenticate(): Promise<void> {
    await this.manager.signinRedirect({ prompt: 'login', max_age: 0 });
  }

  /** When the signed-in person last entered their password at the provider (ms), if the ID token says. */
  authTime(): number | undefined {
    // From the ID token itself (validated at sign-in): oidc-client-ts leaves auth_time out of `profile`.
    const payload = this.user?.id_token?.split('.')[1];
    if (!payload) return undefined;
    try {
      const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { auth_time?: unknown };
      return typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : undefined;
    } catch {
      return undefined;
    }
  }

  /** The session is over: keep what was typed (this tab only), then sign in again and come back. */
  async expired(): Promise<never> {
    if (!this.leaving) {
      this.leaving = true;
      sessionStorage.setItem(DRAFTS, JSON.stringify({ sub: this.user?.profile.sub ?? '', forms: collectDrafts(), hash: location.hash }));
      await this.manager.removeUser();
      await this.manager.signinRedirect();
    }
    throw new SessionExpired('The session has expired');
  }

  private leaving = false;

  /** The page (`#/medlemmar`) the person was on when the session expired, if what they typed is waiting there. */
  draftPage(): string | undefined {
    const saved = sessionStorage.getItem(DRAFTS);
    if (!saved) return undefined;
    const { hash } = JSON.parse(saved) as { hash?: string };
    return hash || undefined;
  }

  /**
   * Puts back what was typed before a sign-in that an expired session forced, if the same person
   * signed in again (a different person gets nothing); true when something was restored.
   */
  restoreDrafts(): boolean {
    const saved = sessionStorage.getItem(DRAFTS);
    if (!saved) return false;
    sessionStorage.removeItem(DRAFTS);
    const { sub, forms } = JSON.parse(saved) as { sub: string; forms: Record<string, Record<string, string | boolean>> };
    if (!sub || sub !== this.user?.profile.sub) return false;
    let restored = false;
    for (const [formId, fields] of Object.entries(forms)) {
      const form = document.getElementById(formId);
      if (!(form instanceof HTMLFormElement)) continue;
      for (const [name, value] of Object.entries(fields)) {
        const el = form.elements.namedItem(name);
        if (el instanceof HTMLInputElement && typeof value === 'boolean') el.checked = value;
        else if ((el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) && typeof value === 'string') el.value = value;
        else continue;
        restored = true;
      }
    }
    return restored;
  }

  /** Signs out here and at the provider (its session ends too), back to the app's sign-in. */
  async signOut(): Promise<void> {
    sessionStorage.removeItem(DRAFTS);
    // The refresh token is revoked first, so a copy (another tab, a saved sessionStorage) cannot renew the
    // session; ID and access tokens are signed and live out their hour. A failed revocation does not stop sign-out.
    await this.manager.revokeTokens(['refresh_token']).catch(() => undefined);
    const { logoutEndpoint, clientId, postLogoutRedirectUri } = this.config.oidc;
    if (logoutEndpoint) {
      // Cognito's managed login: /logout?client_id=&logout_uri=
      await this.manager.removeUser();
      location.assign(`${logoutEndpoint}?${new URLSearchParams({ client_id: clientId, logout_uri: postLogoutRedirectUri })}`);
      return;
    }
    await this.manager.signoutRedirect();
  }
}
