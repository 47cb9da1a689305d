import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { LOCAL_PASSWORD } from '../../local/oidc.ts';

/**
 * Signs in to the staff app the way a person does: the app's "Logga in", the local OpenID
 * provider's login page (local/oidc.ts, a seeded user), and back to the app with code + PKCE.
 */
export async function signIn(page: Page, appUrl: string, username: string, password = LOCAL_PASSWORD): Promise<void> {
  if (!page.url().startsWith(appUrl)) await page.goto(appUrl);
  await page.locator('#sign-in').click();
  await signInAtProvider(page, username, password);
  await page.waitForURL((u) => `${u.origin}${u.pathname}` === `${appUrl}/` && u.search === '', { timeout: 20_000 });
  await expect.poll(() => page.locator('#signed-in').isVisible(), { timeout: 20_000 }).toBe(true);
}

/** Fills the local provider's login page (the page must be on its way there). */
export async function signInAtProvider(page: Page, username: string, password = LOCAL_PASSWORD): Promise<void> {
  await page.waitForURL(/\/oidc\/interaction\//, { timeout: 20_000 });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.locator('#sign-in').click();
}
