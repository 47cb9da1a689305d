/**
 * The staff app's pages (Preact, built by Vite) in Chromium, as hub staff use them: sign in through
 * the OIDC flow, register a member with an organisation from the network's directory, check in by
 * code with the keyboard alone, see them on Idag, check out, erase after the confirmation. Every page
 * is checked with axe-core (WCAG 2.1 A/AA) and photographed into test-results/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { expectAccessible, screenshot } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { api, startTestNetwork } from '../support/network.ts';
import { signIn } from '../support/sign-in.ts';

let network: LocalNetwork;
let browser: Browser;
let page: Page;
let memberCode: string;

const T = { timeout: 20_000 };

beforeAll(async () => {
  network = await startTestNetwork();
  browser = await launchChromium();
  page = await browser.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await network?.stop();
});

const result = () => page.locator('#result').textContent();
async function go(name: string) {
  await page.click(`nav >> text=${name}`);
  await expect.poll(() => page.locator('main h1').textContent(), T).toContain(name === 'Idag' ? 'Idag' : name);
}

describe('the staff app, page by page', () => {
  it('signed out: only sign-in and the accessibility statement, both accessible', async () => {
    await page.goto(network.url);
    await expect.poll(() => page.locator('#sign-in').isVisible(), T).toBe(true);
    expect(await page.locator('nav a').allTextContents()).toEqual(['Tillgänglighet']);
    await expectAccessible(page, 'sign-in');
    await screenshot(page, '01-sign-in');

    await page.click('nav >> text=Tillgänglighet');
    await expect.poll(() => page.locator('main h1').textContent(), T).toBe('Tillgänglighetsredogörelse');
    const text = (await page.locator('main').textContent()) ?? '';
    for (const part of ['delvis förenlig', 'Innehåll som inte är tillgängligt', 'Kontakta oss', 'Myndigheten för digital förvaltning (Digg)', 'tdosanmalan']) expect(text).toContain(part);
    await expectAccessible(page, 'the accessibility statement');
    await screenshot(page, '02-tillganglighet');
    await page.click('#lang');
    await expect.poll(() => page.locator('main h1').textContent(), T).toBe('Accessibility statement');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.click('#lang');
    await expect.poll(() => page.getAttribute('html', 'lang'), T).toBe('sv');
  });

  it('signs in as staff of Umeå and shows Idag: their hub only, the day, its presence, bookings, events and no-shows', async () => {
    await page.goto(network.url);
    await signIn(page, network.url, 'umea-staff');
    expect(await page.locator('#hub option').allTextContents()).toEqual(['Samverkanshubb Umeå']);
    expect(await page.locator('nav a').allTextContents()).toEqual(['Idag', 'Incheckning', 'Medlemmar', 'Bokningar', 'Evenemang', 'Rapport', 'Tillgänglighet', 'Katalog och samtycken']);
    await expect.poll(() => page.locator('#presence-summary').textContent(), T).toBe('0 på plats från 0 organisationer.');
    // Swedish date in Stockholm's time zone: "tisdag 8 december 2026".
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date());
    expect(await page.locator('main h1').textContent()).toBe(`Idag, ${day}`);
    await expect.poll(() => page.locator('#today-bookings').textContent(), T).toContain('Inga bokningar idag.');
    await expect.poll(() => page.locator('#today-events').textContent(), T).toContain('Inga evenemang idag.');
    await expect.poll(() => page.locator('#today-no-shows').textContent(), T).toContain('Inga uteblivna bokningar idag.');
    await expectAccessible(page, 'Idag');
    await screenshot(page, '03-idag-tom');
  });

  it('registers a member with an organisation picked from the network directory; the API’s field error shows by its field', async () => {
    await go('Medlemmar');
    // The directory's organisations are offered; Skatteverket is not registered at the hub yet.
    await expect.poll(() => page.locator('#member-org optgroup[label="Nätverkets katalog"] option').count(), T).toBeGreaterThan(0);
    expect(await page.locator('#member-org optgroup[label="Nätverkets katalog"] option').allTextContents()).toContain('Skatteverket');
    expect(await page.locator('#member-org optgroup[label="Registrerade i hubben"] option').allTextContents()).not.toContain('Skatteverket');

    await page.fill('#member-name', 'Maja Lindqvist');
    await page.fill('#member-email', 'maja.lindqvist@');
    await page.selectOption('#member-org', { label: 'Skatteverket' });
    await page.fill('#member-municipality', 'Umeå (2480)');
    await page.click('#member-form button[type=submit]');
    // The API's message in the page's language (Swedish), by its field; the message line only points to the fields.
    await expect.poll(() => page.locator('#member-email-error').textContent(), T).toBe('En giltig e-postadress');
    expect(await page.locator('#result').textContent()).toBe('Fel: Rätta fälten som är markerade.');
    expect(await page.getAttribute('#member-email', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#member-email', 'aria-describedby')).toBe('member-email-error');
    expect(await page.locator('#result').getAttribute('class')).toBe('error');
    await expectAccessible(page, 'Medlemmar with a field error');

    await page.fill('#member-email', 'maja.lindqvist@skatteverket.se');
    await page.click('#member-form button[type=submit]');
    await expect.poll(result, T).toMatch(/^Maja Lindqvist är registrerad\. Medlemskod: [2-9A-Z]{8}$/);
    memberCode = /Medlemskod: ([2-9A-Z]{8})/.exec((await result()) ?? '')![1]!;
    expect(await page.locator('#member-email-error').count()).toBe(0);
    // Skatteverket is now one of the hub's organisations (GET /api/hubs/umea/organisations).
    await expect.poll(() => page.locator('#member-org optgroup[label="Registrerade i hubben"] option').allTextContents(), T).toContain('Skatteverket');
    const found = await api(network)('GET', '/api/hubs/umea/members?q=lindqvist', { token: await network.token('staff', 'umea') });
    expect(found.json.members[0]).toMatchObject({ name: 'Maja Lindqvist', employerMunicipality: '2480' });
    await expectAccessible(page, 'Medlemmar');
    await screenshot(page, '04-medlemmar');
  });

  it('checks the member in by code with the keyboard alone', async () => {
    await go('Incheckning');
    // Focus is on the page's heading; the code field is the next stop.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('checkin-code');
    await page.keyboard.type(memberCode.toLowerCase());
    await page.keyboard.press('Enter');
    await expect.poll(result, T).toMatch(/^Incheckad \d\d:\d\d\.$/);
    await expect.poll(() => page.locator('#presence li').allTextContents(), T).toEqual([expect.stringContaining('Maja Lindqvist · Skatteverket')]);
    // Again: already in, said so.
    await page.fill('#checkin-code', memberCode);
    await page.keyboard.press('Enter');
    await expect.poll(result, T).toMatch(/^Redan incheckad sedan \d\d:\d\d\.$/);
    // A code that is no member's: the field says why.
    await page.fill('#checkin-code', 'ZZZZZZZZ');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#result').getAttribute('class'), T).toBe('error');
    await expectAccessible(page, 'Incheckning');
    await screenshot(page, '05-incheckning');
  });

  it('shows them on Idag, and checks them out from the presence list', async () => {
    await go('Idag');
    await expect.poll(() => page.locator('#presence li').allTextContents(), T).toEqual([expect.stringMatching(/^Maja Lindqvist · Skatteverket sedan \d\d:\d\d$/)]);
    expect(await page.locator('#presence-summary').textContent()).toBe('1 på plats från 1 organisation.');
    await expectAccessible(page, 'Idag with someone in');
    await screenshot(page, '06-idag');

    await go('Incheckning');
    await page.click('#presence li button');
    await expect.poll(result, T).toMatch(/^Utcheckad efter (1 minut|\d+ minuter)\.$/);
    await expect.poll(() => page.locator('#presence li').count(), T).toBe(0);
  });

  it('books a room for the member by clicking a free slot in the day grid, lists it and cancels it', async () => {
    const token = await network.token('staff', 'umea');
    // The next open weekday, a few days ahead (dates relative to now).
    let date = '';
    for (let i = 2; i < 14 && !date; i++) {
      const d = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
      if ((await api(network)('GET', `/api/hubs/umea/availability?date=${d}`, { token })).json.open) date = d;
    }
    await go('Bokningar');
    await page.fill('#booking-search-q', 'lindqvist');
    await page.press('#booking-search-q', 'Enter');
    await expect.poll(() => page.locator('#booking-member option').allTextContents(), T).toEqual(['Maja Lindqvist (maja.lindqvist@skatteverket.se)']);
    await page.fill('#booking-date', date);
    await expect.poll(() => page.locator('#grid-heading').textContent(), T).toBe(`Lediga tider ${date}`);
    const slot = page.locator('#booking-grid button[data-resource="rum-kajen"][data-start="08:00"]');
    await expect.poll(() => slot.isEnabled(), T).toBe(true);
    expect(await slot.getAttribute('aria-label')).toMatch(/^.+ 08:00–09:00: ledig$/);
    // Pooled desks say how many are left.
    expect(await page.locator('#booking-grid').textContent()).toMatch(/\d+ kvar/);
    await expectAccessible(page, 'Bokningar');
    await slot.click();
    await expect.poll(result, T).toBe('Bokat 08:00–09:00 för Maja Lindqvist.');
    await expect.poll(() => slot.isDisabled(), T).toBe(true);
    await expect.poll(() => page.locator('#booking-list li').allTextContents(), T).toEqual([expect.stringContaining('08:00–09:00')]);
    const booked = await api(network)('GET', `/api/hubs/umea/bookings?date=${date}`, { token });
    expect(booked.json.bookings).toEqual([expect.objectContaining({ resourceId: 'rum-kajen', status: 'confirmed' })]);
    await screenshot(page, '08-bokningar');
    await page.click('#booking-list li button');
    await expect.poll(result, T).toBe('Avbokat.');
    await expect.poll(() => page.locator('#booking-list li').count(), T).toBe(0);
    await expect.poll(() => slot.isEnabled(), T).toBe(true);

    // Weekly until two weeks on: a booking series, the day's grid and the API show its first time.
    const until = new Date(Date.parse(`${date}T12:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('#booking-until', until);
    const ten = page.locator('#booking-grid button[data-resource="rum-kajen"][data-start="10:00"]');
    await expect.poll(() => ten.isEnabled(), T).toBe(true);
    await ten.click();
    await expect.poll(result, T).toMatch(/^Bokat varje vecka 10:00–11:00 för Maja Lindqvist: [1-3] tillfällen?(, [12] gick inte \(upptaget eller stängt\))?\.$/);
    await expect.poll(() => ten.isDisabled(), T).toBe(true);
    const series = await api(network)('GET', `/api/hubs/umea/bookings?date=${date}`, { token });
    expect(series.json.bookings.filter((b: { status: string }) => b.status === 'confirmed')).toEqual([expect.objectContaining({ resourceId: 'rum-kajen', start: expect.stringContaining('T10:00:00'), seriesId: expect.any(String) })]);
    await expectAccessible(page, 'Bokningar with a series');
    await page.fill('#booking-until', '');
  });

  it('creates an event under way now, shows it on Idag, and marks attendance at the door by member code', async () => {
    await go('Evenemang');
    expect(await page.locator('main').textContent()).toContain('Inga publicerade evenemang att markera närvaro för.');
    // Under way now: from the last quarter hour, for an hour (hub time).
    const start = new Date(Math.floor(Date.now() / 900_000) * 900_000);
    const local = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    await page.fill('#event-title', 'Frukostseminarium');
    await page.selectOption('#event-kind', 'training');
    await page.fill('#event-date', new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(start));
    await page.fill('#event-from', local(start));
    await page.fill('#event-to', local(new Date(start.getTime() + 3_600_000)));
    await page.fill('#event-capacity', '0');
    await page.click('#event-form button[type=submit]');
    await expect.poll(() => page.locator('#event-capacity-error').textContent(), T).toBe('At least 1');
    await expectAccessible(page, 'Evenemang with a field error');
    await page.fill('#event-capacity', '5');
    await page.click('#event-form button[type=submit]');
    await expect.poll(result, T).toBe('Frukostseminarium är skapat (publicerat).');
    await expect.poll(() => page.locator('#event-list li').allTextContents(), T).toEqual([expect.stringContaining('Frukostseminarium · publicerat · 5 platser kvar')]);

    await page.fill('#attendance-code', memberCode);
    await page.press('#attendance-code', 'Enter');
    await expect.poll(result, T).toBe('Närvaro markerad (drop-in).');
    await expect.poll(() => page.locator('#event-list li').allTextContents(), T).toEqual([expect.stringContaining('4 platser kvar')]);
    await page.fill('#attendance-code', memberCode);
    await page.press('#attendance-code', 'Enter');
    await expect.poll(result, T).toBe('Redan markerad som närvarande.');
    await expectAccessible(page, 'Evenemang');
    await screenshot(page, '10-evenemang');

    await go('Idag');
    await expect.poll(() => page.locator('#today-events li').allTextContents(), T).toEqual([expect.stringContaining('Frukostseminarium')]);
  });

  it('publishes a draft event, registers members up to the capacity and then on the waitlist, and cancels one', async () => {
    const token = await network.token('staff', 'umea');
    const orgs = await api(network)('GET', '/api/hubs/umea/organisations', { token });
    const other = await api(network)('POST', '/api/hubs/umea/members', { token, body: { name: 'Olof Väntare', email: 'olof.vantare@skatteverket.se', organisationId: orgs.json.organisations.find((o: { name: string }) => o.name === 'Skatteverket').id, membership: 'member' } });
    expect(other.status, other.text).toBe(201);
    await go('Evenemang');
    const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + 86_400_000));
    await page.fill('#event-title', 'Lunchträff');
    await page.fill('#event-date', tomorrow);
    await page.fill('#event-from', '12:00');
    await page.fill('#event-to', '13:00');
    await page.fill('#event-capacity', '1');
    await page.uncheck('input[name=publish]');
    await page.click('#event-form button[type=submit]');
    await expect.poll(result, T).toBe('Lunchträff är skapat (utkast).');
    const row = page.locator('#event-list li', { hasText: 'Lunchträff' });
    await expect.poll(() => row.textContent(), T).toContain('utkast');
    await row.locator('button[data-publish]').click();
    await expect.poll(result, T).toBe('Lunchträff är publicerat.');
    await expect.poll(() => row.textContent(), T).toContain('publicerat · 1 plats kvar');
    expect(await row.locator('button[data-publish]').count()).toBe(0);

    await row.locator('button[data-registrations]').click();
    await expect.poll(() => page.locator('#registrations-heading').textContent(), T).toBe('Anmälningar till Lunchträff');
    await expect.poll(() => page.locator('#registrations').textContent(), T).toContain('Inga anmälningar ännu.');
    const registerFirst = async (q: string, name: string) => {
      await page.fill('#register-q', q);
      await page.press('#register-q', 'Enter');
      await expect.poll(() => page.locator('#register-results li').allTextContents(), T).toEqual([expect.stringContaining(name)]);
      await page.click('#register-results li button[data-register]');
    };
    await registerFirst('lindqvist', 'Maja Lindqvist');
    await expect.poll(result, T).toBe('Maja Lindqvist är anmäld.');
    await expect.poll(() => page.locator('#registration-list li').allTextContents(), T).toEqual([expect.stringContaining('Maja Lindqvist')]);
    await registerFirst('väntare', 'Olof Väntare');
    await expect.poll(result, T).toBe('Olof Väntare står på väntelistan.');
    await expect.poll(() => page.locator('#waitlist li').allTextContents(), T).toEqual([expect.stringContaining('Olof Väntare plats 1 på väntelistan')]);
    expect(await page.locator('#registrations h3').allTextContents()).toEqual(['Bekräftade (1 av 1)', 'Väntelista (1)']);
    await expectAccessible(page, 'Evenemang, registrations');
    await screenshot(page, '12-evenemang-anmalningar');

    // Cancelling the confirmed one gives the seat to the first on the waitlist.
    await page.locator('#registration-list li', { hasText: 'Maja Lindqvist' }).locator('button[data-cancel]').click();
    await expect.poll(result, T).toBe('Maja Lindqvist är avanmäld.');
    await expect.poll(() => page.locator('#registration-list li').allTextContents(), T).toEqual([expect.stringContaining('Olof Väntare')]);
    expect(await page.locator('#waitlist li').count()).toBe(0);
  });

  it("shows the hub's report as a table per month, and names a wrong period by its field", async () => {
    await go('Rapport');
    await expect.poll(() => page.locator('#report-table caption').textContent(), T).toMatch(/^Hubbens siffror \d{4}-\d\d-\d\d–\d{4}-\d\d-\d\d$/);
    expect(await page.locator('#report-table thead th').allTextContents()).toEqual(['Period', 'Incheckningar', 'Unika besökare', 'Organisationer', 'Incheckningar från företag', 'Bokningar', 'Kom inte', 'Evenemang', 'Deltog i evenemang']);
    expect(await page.locator('#report-table tfoot th').textContent()).toBe('Totalt');
    expect(await page.locator('#report-table tbody tr').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'Rapport');
    await screenshot(page, '09-rapport');

    const today = await page.inputValue('#report-to');
    await page.fill('#report-from', today);
    await page.fill('#report-to', '2000-01-01');
    await page.click('#report-form button[type=submit]');
    await expect.poll(() => page.locator('#report-to-error').textContent(), T).toBe('"Till" får inte vara före "Från"');
    expect(await page.getAttribute('#report-to', 'aria-invalid')).toBe('true');
  });

  it("changes the member's e-mail on Medlemmar; a bad one is named by its field", async () => {
    await go('Medlemmar');
    await page.fill('#member-search-q', 'lindqvist');
    await page.press('#member-search-q', 'Enter');
    await expect.poll(() => page.locator('#member-results li').count(), T).toBe(1);
    await page.click('#member-results li button[data-edit]');
    await expect.poll(() => page.locator('#edit-heading').textContent(), T).toBe('Ändra Maja Lindqvist');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('edit-name');
    expect(await page.inputValue('#edit-email')).toBe('maja.lindqvist@skatteverket.se');
    await page.fill('#edit-email', 'maja@');
    await page.click('#member-edit-form button[type=submit]');
    await expect.poll(() => page.locator('#edit-email-error').textContent(), T).toBe('En giltig e-postadress');
    expect(await page.getAttribute('#edit-email', 'aria-invalid')).toBe('true');
    await expectAccessible(page, 'Medlemmar, changing a member');
    await screenshot(page, '11-medlemmar-andra');
    await page.fill('#edit-email', 'Maja.Lindqvist@Umea.se');
    await page.click('#member-edit-form button[type=submit]');
    await expect.poll(result, T).toBe('Uppgifterna om Maja Lindqvist är sparade.');
    expect(await page.locator('#member-edit-form').count()).toBe(0);
    await expect.poll(() => page.locator('#member-results li').allTextContents(), T).toEqual([expect.stringContaining('maja.lindqvist@umea.se')]);
  });

  it('erases the member after a confirmation that says what erasure does', async () => {
    await go('Medlemmar');
    await page.fill('#member-search-q', 'lindqvist');
    await page.press('#member-search-q', 'Enter');
    await expect.poll(() => page.locator('#member-results li').count(), T).toBe(1);
    await page.click('#member-results li button[data-erase]');
    await expect.poll(() => page.locator('#erase-dialog').isVisible(), T).toBe(true);
    const dialog = (await page.locator('#erase-dialog').textContent()) ?? '';
    expect(dialog).toContain('Radera Maja Lindqvist?');
    expect(dialog).toContain('anonyma antal');
    expect(dialog).toContain('Det går inte att ångra');
    // Focus starts on cancel, not on the destructive button.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('erase-cancel');
    await expectAccessible(page, 'the erase confirmation');
    await screenshot(page, '07-radera');
    // Escape cancels: nothing erased.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#erase-dialog').isVisible(), T).toBe(false);
    await page.click('#member-results li button[data-erase]');
    await page.click('#erase-confirm');
    await expect.poll(result, T).toBe('Medlemmen är raderad.');
    await expect.poll(() => page.locator('main').textContent(), T).toContain('Ingen träff.');
    const found = await api(network)('GET', '/api/hubs/umea/members?q=lindqvist', { token: await network.token('staff', 'umea') });
    expect(found.json.members).toEqual([]);
  });
});
