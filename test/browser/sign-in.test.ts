/**
 * Signing in to the staff app in Chromium through the real OpenID Connect flow (code + PKCE with
 * oidc-client-ts, the local stand-in provider): staff see their own hub only and can work in it;
 * sign-out ends the provider's session too; the national administrator sees every hub; an
 * expired session is renewed with the refresh token, and when it cannot be, sign-in brings the
 * person back with what they typed.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';
import { expectAccessible } from '../support/axe.ts';
import { signIn, signInAtProvider } from '../support/sign-in.ts';
import { launchChromium } from '../support/browser.ts';

let network: LocalNetwork;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  network = await startTestNetwork();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await network?.stop();
});

async function freshPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/** The tab's stored session (oidc-client-ts keeps it in sessionStorage under `oidc.user:<authority>:<client>`). */
async function storedUser(page: Page): Promise<{ key: string; user: { id_token: string; refresh_token?: string; expires_at: number; profile: { sub: string } } }> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    if (!key) throw new Error('No stored session');
    return { key, user: JSON.parse(sessionStorage.getItem(key) ?? '{}') };
  });
}

describe('signing in to the staff app', () => {
  it('shows staff of Luleå only their hub, lets them check a member in, and signs them out at the provider too', async () => {
    const call = api(network);
    const token = await network.token('staff', 'lulea');
    const org = await call('POST', '/api/hubs/lulea/organisations', { token, body: { name: 'Luleå kommun', type: 'municipality' } });
    const member = await call('POST', '/api/hubs/lulea/members', { token, body: { name: 'Lina Lund', email: 'lina.lund@lulea.se', organisationId: org.json.id, membership: 'member' } });

    const page = await freshPage();
    await page.goto(network.url);
    // Signed out: nothing of a hub is shown, only sign-in.
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#checkin-form').isVisible()).toBe(false);
    expect(await page.locator('#hub').isVisible()).toBe(false);

    await signIn(page, network.url, 'lulea-staff');
    expect(await page.locator('#hub option').allTextContents()).toEqual(['Samverkanshubb Luleå']);
    await expect.poll(() => page.locator('#user-role').textContent(), { timeout: 20_000 }).toBe('värdskap, Samverkanshubb Luleå');
    expect(await page.locator('#user-name').textContent()).toBe('lulea-staff@local.samverkan');
    await expectAccessible(page, 'Idag after sign-in');

    await page.click('nav >> text=Incheckning');
    await page.fill('#checkin-code', member.json.memberCode);
    await page.click('#checkin-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toMatch(/^Incheckad/);
    const presence = await call('GET', '/api/hubs/lulea/presence', { token });
    expect(presence.json.count).toBe(1);

    await page.click('#sign-out');
    await page.waitForURL(`${network.url}/`, { timeout: 20_000 });
    await expect.poll(() => page.locator('#sign-in').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('#checkin-form').isVisible()).toBe(false);
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:')))).toEqual([]);
    // The provider's session ended as well: signing in asks for the password again.
    await page.click('#sign-in');
    await page.waitForURL(/\/oidc\/interaction\//, { timeout: 20_000 });
    expect(await page.locator('#password').isVisible()).toBe(true);
  });

  it('refuses a wrong password at the provider', async () => {
    const page = await freshPage();
    await page.goto(network.url);
    await expectAccessible(page, 'the signed-out app');
    await page.click('#sign-in');
    await signInAtProvider(page, 'umea-staff', 'not-the-password');
    await expect.poll(() => page.locator('[role=alert]').textContent(), { timeout: 20_000 }).toContain('Fel användarnamn eller lösenord');
  });

  it('shows the national administrator every hub', async () => {
    const page = await freshPage();
    await signIn(page, network.url, 'national');
    await expect.poll(() => page.locator('#hub option').count(), { timeout: 20_000 }).toBe(6);
    expect(await page.locator('#user-role').textContent()).toBe('nationell administratör');
    // Not staff anywhere: the hub's details, not its desk work (which the API keeps for the hub's staff).
    expect(await page.locator('#checkin-form').isVisible()).toBe(false);
    expect(await page.locator('#not-staff-hint').isVisible()).toBe(true);
    expect(await page.locator('nav a').allTextContents()).toEqual(['Idag', 'Rapport', 'Tillgänglighet']);
    await page.selectOption('#hub', 'ostersund');
    await expect.poll(() => page.locator('#hub-info h2').textContent(), { timeout: 20_000 }).toContain('Östersund');
    expect(await page.locator('#result').textContent()).toBe('');
    await expectAccessible(page, "a national administrator's Idag");
  });

  it('renews an expired session with the refresh token, and when it cannot, signs in again and keeps what was typed', async () => {
    const page = await freshPage();
    // The browser's clock is Playwright's: it runs as usual until the test moves it on.
    await page.clock.install();
    await signIn(page, network.url, 'umea-staff');
    await expect.poll(() => page.locator('#presence-summary').textContent(), { timeout: 20_000 }).toContain('på plats');
    const first = await storedUser(page);
    expect(first.user.refresh_token).toBeTruthy();

    // Two hours on (the tokens live one): the refresh token renews them, no sign-in page.
    await page.clock.fastForward('02:00:00');
    await page.click('#presence-refresh');
    await expect.poll(async () => (await storedUser(page)).user.id_token, { timeout: 20_000 }).not.toBe(first.user.id_token);
    const renewed = await storedUser(page);
    expect(page.url()).toBe(`${network.url}/`);
    expect(await page.locator('#result').getAttribute('class')).not.toBe('error');

    // Now the session is over for good: the refresh token is revoked and the provider's session
    // is gone. What the person typed survives the trip through sign-in.
    const config = (await fetch(`${network.url}/config.json`).then((r) => r.json())) as { oidc: { authority: string; clientId: string } };
    const { revocation_endpoint } = (await fetch(`${config.oidc.authority}/.well-known/openid-configuration`).then((r) => r.json())) as { revocation_endpoint: string };
    const revoked = await fetch(revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: network.url },
      body: new URLSearchParams({ token: renewed.user.refresh_token ?? '', token_type_hint: 'refresh_token', client_id: config.oidc.clientId }).toString(),
    });
    expect(revoked.status).toBe(200);
    await page.context().clearCookies();
    await page.click('nav >> text=Medlemmar');
    await page.fill('#org-form input[name=name]', 'Hembygdsföreningen Gamla Umeå');
    await page.selectOption('#org-form select[name=type]', 'other');
    await page.fill('#org-form input[name=homeMunicipality]', 'Umeå');
    await page.clock.fastForward('02:00:00');
    await page.click('#org-form button');

    await signInAtProvider(page, 'umea-staff');
    // Back on the page where the typing was (Medlemmar), with it.
    await page.waitForURL(`${network.url}/#/medlemmar`, { timeout: 20_000 });
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('Det du skrev innan sessionen gick ut finns kvar');
    expect(await page.inputValue('#org-form input[name=name]')).toBe('Hembygdsföreningen Gamla Umeå');
    expect(await page.inputValue('#org-form select[name=type]')).toBe('other');
    expect(await page.inputValue('#org-form input[name=homeMunicipality]')).toBe('Umeå');
    // Sent again, it goes through with the new session.
    await page.click('#org-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Organisationen Hembygdsföreningen Gamla Umeå är registrerad.');
  });
});
