/**
 * Kiosk mode in Chromium, as at a hub's entrance: staff of Umeå sign in through the OIDC flow and
 * start it; a member checks in and out by typing their code; the page shows nothing but their first
 * name (not the presence list, not anyone else) and resets; a reload stays in the kiosk; leaving it
 * needs a staff password at the provider again (going back from the login page stays in the kiosk).
 * The camera is Chromium's fake device playing a picture of the member card's QR code (generated with
 * `qrcode`). axe on the kiosk; screenshots into test-results/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { expectAccessible, screenshot } from '../support/axe.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, qrVideo } from '../support/browser.ts';
import { api, startTestNetwork } from '../support/network.ts';
import { signIn, signInAtProvider } from '../support/sign-in.ts';

let network: LocalNetwork;
let browser: Browser;
let page: Page;
let memberCode: string;
let memberId: string;
let qrPayload: string;
const requests: string[] = [];

const T = { timeout: 20_000 };
const KIOSK_TITLE = 'Välkommen till Samverkanshubb Umeå';
const h1 = () => page.locator('main h1').textContent();
const status = () => page.locator('#kiosk-status').textContent();

beforeAll(async () => {
  network = await startTestNetwork();
  const call = api(network);
  const token = await network.token('staff', 'umea');
  const org = await call('POST', '/api/hubs/umea/organisations', { token, body: { name: 'Kioskverket', type: 'state-agency' } });
  expect([200, 201], org.text).toContain(org.status);
  const add = async (name: string, email: string) => {
    const m = await call('POST', '/api/hubs/umea/members', { token, body: { membership: 'member', name, email, organisationId: org.json.id } });
    expect(m.status, m.text).toBe(201);
    return m.json as { id: string; memberCode: string; qrPayload: string };
  };
  const kim = await add('Kim Kioskdotter Berg', 'kim@kioskverket.se');
  memberCode = kim.memberCode;
  memberId = kim.id;
  qrPayload = kim.qrPayload;
  // Someone else is in: the kiosk must not show them.
  const olle = await add('Olle Annansson', 'olle@kioskverket.se');
  expect((await call('POST', '/api/hubs/umea/check-ins', { token, body: { memberId: olle.id } })).status).toBe(201);
  // The camera: Chromium's fake device plays a still picture of Kim's member card QR code.
  const video = await qrVideo(kim.qrPayload, join(mkdtempSync(join(tmpdir(), 'kiosk-')), 'card.y4m'));
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
  page = await browser.newPage({ viewport: { width: 800, height: 1280 } });
  page.on('request', (r) => requests.push(r.url()));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await network?.stop();
});

async function presentIds(): Promise<string[]> {
  const res = await api(network)('GET', '/api/hubs/umea/presence', { token: await network.token('staff', 'umea') });
  return (res.json.present as { memberId: string }[]).map((p) => p.memberId);
}

describe('kiosk mode', () => {
  it('is started by signed-in staff from Incheckning: full page, no navigation, no header', async () => {
    await signIn(page, network.url, 'umea-staff');
    await page.click('nav >> text=Incheckning');
    await expect.poll(h1, T).toBe('Incheckning');
    await page.click('#kiosk-start');
    await expect.poll(h1, T).toBe(KIOSK_TITLE);
    expect(page.url()).toMatch(/#\/kiosk$/);
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.locator('header').count()).toBe(0);
    expect(await page.locator('#hub').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('kiosk-code');
    // Large touch targets: the check-in and check-out buttons are at least 44 px high (WCAG 2.5.5).
    for (const id of ['#kiosk-in', '#kiosk-out', '#kiosk-leave']) expect((await page.locator(id).boundingBox())?.height).toBeGreaterThanOrEqual(44);
    await expectAccessible(page, 'the kiosk');
    await screenshot(page, '20-kiosk');
  });

  it('checks a member in by code, greets them by first name only, and resets', async () => {
    requests.length = 0;
    await page.fill('#kiosk-code', memberCode.toLowerCase());
    await page.click('#kiosk-in');
    await expect.poll(status, T).toBe('Välkommen, Kim!');
    await expect.poll(presentIds, T).toContain(memberId);
    const text = (await page.locator('body').textContent()) ?? '';
    for (const other of ['Kioskdotter', 'Berg', 'kim@kioskverket.se', 'Kioskverket', 'Olle', 'Annansson', memberCode]) expect(text).not.toContain(other);
    // The kiosk asked for nothing but the check itself: no presence list, no member search.
    expect(requests.filter((u) => u.includes('/api/'))).toEqual([`${network.url}/api/hubs/umea/kiosk/check`]);
    await expectAccessible(page, 'the kiosk greeting');
    await screenshot(page, '21-kiosk-valkommen');
    // A few seconds later it is ready for the next person.
    await expect.poll(status, T).toBe('');
    expect(await page.inputValue('#kiosk-code')).toBe('');
  });

  it('says so by the field when the code is unknown, or when checking out someone who is not in', async () => {
    await page.fill('#kiosk-code', 'ZZZZZZZZ');
    await page.click('#kiosk-out');
    await expect.poll(() => page.locator('#kiosk-code-error').textContent(), T).toBe('Koden känns inte igen. Fråga värdskapet.');
    expect(await page.getAttribute('#kiosk-code', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#kiosk-code', 'aria-describedby')).toBe('kiosk-code-error');
    await expectAccessible(page, 'the kiosk with an error');
    await expect.poll(status, T).toBe('');
  });

  it('stays in the kiosk on a reload, and checks the member out by code', async () => {
    await page.reload();
    await expect.poll(h1, T).toBe(KIOSK_TITLE);
    expect(await page.locator('nav').count()).toBe(0);
    await page.fill('#kiosk-code', memberCode);
    await page.keyboard.press('Enter');
    // Enter is "Checka in": already in, said so without anything else.
    await expect.poll(status, T).toBe('Välkommen, Kim! Du är redan incheckad.');
    await page.fill('#kiosk-code', memberCode);
    await page.click('#kiosk-out');
    await expect.poll(status, T).toBe('Hej då, Kim!');
    await expect.poll(presentIds, T).not.toContain(memberId);
    await page.fill('#kiosk-code', memberCode);
    await page.click('#kiosk-out');
    await expect.poll(status, T).toBe('Du är inte incheckad.');
  });

  it('reads the QR code of a member card from the camera and checks the member in with it', async () => {
    await page.click('#kiosk-camera');
    // (Not asserted that the button shows pressed meanwhile: the fake camera's still may be read before the check runs.)
    await expect.poll(() => page.inputValue('#kiosk-code'), T).toBe(qrPayload);
    await expect.poll(status, T).toBe('QR-koden är läst. Tryck Checka in eller Checka ut.');
    // The camera is released once the code is read.
    expect(await page.getAttribute('#kiosk-camera', 'aria-pressed')).toBe('false');
    expect(await page.locator('#kiosk-video').isVisible()).toBe(false);
    await page.click('#kiosk-in');
    await expect.poll(status, T).toBe('Välkommen, Kim!');
    await expect.poll(presentIds, T).toContain(memberId);
    await expect.poll(status, T).toBe('');
  });

  it('cannot be left without a staff sign-in: back from the login page stays in the kiosk', async () => {
    // The provider asks for the password although its session is alive (prompt=login, max_age=0).
    await page.click('#kiosk-leave');
    await page.waitForURL(/\/oidc\/interaction\//, T);
    await page.goBack();
    await expect.poll(h1, T).toBe(KIOSK_TITLE);
    expect(await page.locator('nav').count()).toBe(0);
    await expectAccessible(page, 'the kiosk after going back');
  });

  it('is left when staff of the hub sign in again, back on Incheckning', async () => {
    await page.click('#kiosk-leave');
    await signInAtProvider(page, 'umea-staff');
    await page.waitForURL((u) => u.origin === network.url && !u.pathname.startsWith('/oidc'), T);
    await expect.poll(h1, T).toBe('Incheckning');
    expect(await page.locator('nav a').allTextContents()).toContain('Incheckning');
    await page.reload();
    await expect.poll(() => page.locator('nav').count(), T).toBe(1);
    expect(await h1()).not.toBe(KIOSK_TITLE);
  });
});
