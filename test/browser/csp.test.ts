/**
 * The app and the member pages under the security headers' CSP (infra/security-headers.ts), in
 * Chromium: nothing is refused, and the styles that were inline before are applied from files.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { appCsp } from '../../infra/security-headers.ts';
import { startTestNetwork } from '../support/network.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';

let network: LocalNetwork;
let browser: Browser;

beforeAll(async () => {
  network = await startTestNetwork();
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await network?.stop();
});

/** Opens a page, recording every CSP violation the browser reports (events and console). */
async function open(path: string): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) console.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const res = await page.goto(`${network.url}${path}`);
  expect(res?.headers()['content-security-policy']).toBe(appCsp());
  return { page, violations: async () => [...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)), ...console] };
}

describe('the pages under the CSP', () => {
  it('the consent page runs its script and takes its styles from consent.css; nothing refused', async () => {
    const { page, violations } = await open('/consent.html#hub=umea&token=not-a-real-token');
    // The script ran: it asked for the link and says it is not valid.
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000 }).not.toBe('');
    expect(await page.locator('main').evaluate((e) => getComputedStyle(e).maxWidth)).toBe('736px'); // 46rem, from consent.css
    expect(await violations()).toEqual([]);
    await expectAccessible(page, 'the consent page');
    await page.close();
  });

  it('the survey page runs its script and takes its styles from survey.css; nothing refused', async () => {
    const { page, violations } = await open('/survey.html#token=umea_not-a-real-token');
    await expect.poll(async () => `${await page.locator('#errors').textContent()}${await page.locator('#status').textContent()}`, { timeout: 20_000 }).not.toBe('');
    expect(await page.locator('main').evaluate((e) => getComputedStyle(e).maxWidth)).toBe('736px');
    expect(await violations()).toEqual([]);
    await expectAccessible(page, 'the survey page');
    await page.close();
  });

  it('the staff app (Vite build) loads its script and style; nothing refused', async () => {
    const { page, violations } = await open('/');
    // The script ran (Preact rendered the header and the sign-in button) and the stylesheet applied (the header's background).
    await expect.poll(() => page.locator('#sign-in').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('header').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(31, 78, 95)');
    expect(await page.evaluate(() => [...document.querySelectorAll('script')].map((s) => s.getAttribute('src') ?? 'inline'))).toEqual([expect.stringMatching(/^\/assets\/index-[\w-]+\.js$/)]);
    await page.waitForLoadState('networkidle');
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('the earlier one-page view (legacy.html) loads its script and style; nothing refused', async () => {
    const { page, violations } = await open('/legacy.html');
    await expect.poll(() => page.locator('#sign-in').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('header').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(31, 78, 95)');
    await page.waitForLoadState('networkidle');
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('an inline style would be refused (the CSP is in force)', async () => {
    const { page, violations } = await open('/consent.html');
    await page.evaluate(() => {
      const s = document.createElement('style');
      s.textContent = 'main { max-width: 1px; }';
      document.head.append(s);
    });
    await expect.poll(async () => (await violations()).length).toBeGreaterThan(0);
    expect(await page.locator('main').evaluate((e) => getComputedStyle(e).maxWidth)).toBe('736px');
    await page.close();
  });
});
