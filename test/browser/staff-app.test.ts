import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { startTestNetwork } from '../support/network.ts';
import { signIn } from '../support/sign-in.ts';
import { launchChromium } from '../support/browser.ts';
import { expectAccessible } from '../support/axe.ts';

let network: LocalNetwork;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  network = await startTestNetwork();
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await network?.stop();
});

/**
 * The earlier one-page view (`/legacy.html`, web/app.ts), still where bookings, events, the network
 * directory and research consents are done until they move into the app's pages (staff-pages.test.ts).
 */
describe('the earlier one-page view (legacy.html)', () => {
  it('lets hub staff register an organisation and a member and check the member in by code', async () => {
    await signIn(page, network.url, 'umea-staff');
    // Signed in through the app; the view picks up the same session.
    await page.goto(`${network.url}/legacy.html`);
    await expect.poll(() => page.locator('#signed-in').isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.locator('#hub option').allTextContents(), { timeout: 20_000 }).toEqual(['Samverkanshubb Umeå']);
    await expect.poll(() => page.locator('#hub-info').textContent(), { timeout: 20_000 }).toContain('Great Hub');

    await page.fill('#org-form input[name=name]', 'Försäkringskassan');
    await page.selectOption('#org-form select[name=type]', 'state-agency');
    await page.click('#org-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('Försäkringskassan');

    // The employer's municipality: a searchable list of SCB's 290; a name that is not one of them is refused, naming the field.
    expect(await page.locator('#municipalities option').count()).toBe(290);
    expect(await page.locator('#municipalities option[value="Skellefteå (2482)"]').count()).toBe(1);
    await page.fill('#member-form input[name=name]', 'Karin Öberg');
    await page.fill('#member-form input[name=email]', 'karin.oberg@fk.se');
    await page.fill('#member-form input[name=employerMunicipality]', 'Atlantis');
    await page.selectOption('#member-form select[name=membership]', 'member');
    await page.click('#member-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('employerMunicipality');
    await page.fill('#member-form input[name=employerMunicipality]', 'Skellefteå (2482)');
    await page.click('#member-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toMatch(/Medlemskod: [2-9A-Z]{8}/);
    const found = await fetch(`${network.url}/api/hubs/umea/members?q=${encodeURIComponent('öberg')}`, { headers: { authorization: `Bearer ${await network.token('staff', 'umea')}` } }).then((r) => r.json());
    expect(found.members[0]).toMatchObject({ name: 'Karin Öberg', employerMunicipality: '2482' });
    const code = /Medlemskod: ([2-9A-Z]{8})/.exec((await page.locator('#result').textContent()) ?? '')![1]!;

    await page.fill('#checkin-code', code.toLowerCase());
    await page.click('#checkin-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toMatch(/^Incheckad/);
    

    await page.fill('#checkin-code', code);
    await page.click('#checkin-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toMatch(/^Redan incheckad/);
  });

  it('shows who is in and checks them out', async () => {
    await expect.poll(() => page.locator('#presence li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('Karin Öberg · Försäkringskassan')]);
    expect(await page.locator('#presence-summary').textContent()).toBe('1 på plats från 1 organisation.');
    await page.click('#presence li button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toMatch(/^Utcheckad efter (1 minut|\d+ minuter)\./);
    await expect.poll(() => page.locator('#presence li').count(), { timeout: 20_000 }).toBe(0);
  });

  it('finds a member, checks them in from the result and erases them after confirmation', async () => {
    await page.fill('#search-q', 'öberg');
    await page.click('#search-form button');
    await expect.poll(() => page.locator('#search-results li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('Karin Öberg')]);
    await page.click('#search-results li button[data-checkin]');
    await expect.poll(() => page.locator('#presence li').count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/samverkan-staff-app.png`, fullPage: true });

    page.once('dialog', (d) => void d.accept());
    await page.click('#search-results li button[data-erase]');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Medlemmen är raderad.');
    await expect.poll(() => page.locator('#presence li').count(), { timeout: 20_000 }).toBe(0);
    await page.click('#search-form button');
    await expect.poll(() => page.locator('#search-results li').allTextContents(), { timeout: 20_000 }).toEqual(['Ingen träff.']);
  });

  it('books a room for a member found by search, lists it and cancels it', async () => {
    const staffToken = await network.token('staff', 'umea');
    const member = await fetch(`${network.url}/api/hubs/umea/organisations`, { method: 'POST', headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Umeå kommun', type: 'municipality' }) }).then((r) => r.json());
    await fetch(`${network.url}/api/hubs/umea/members`, { method: 'POST', headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bo Bokare', email: 'bo.bokare@umea.se', organisationId: member.id, membership: 'member' }) });
    await page.fill('#search-q', 'bokare');
    await page.click('#search-form button');
    await expect.poll(() => page.locator('#booking-member option').count(), { timeout: 20_000 }).toBe(1);

    // The next open weekday, a few days ahead.
    let date = '';
    for (let i = 2; i < 14 && !date; i++) {
      const d = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
      const a = await fetch(`${network.url}/api/hubs/umea/availability?date=${d}`, { headers: { authorization: `Bearer ${staffToken}` } }).then((r) => r.json());
      if (a.open) date = d;
    }
    await page.fill('#booking-date', date);
    await page.locator('#booking-date').dispatchEvent('change');
    await expect.poll(() => page.locator('#booking-resource option').count(), { timeout: 20_000 }).toBeGreaterThan(3);
    await expect.poll(() => page.locator('#booking-day').textContent(), { timeout: 20_000 }).toMatch(/^08:00–1[67]:00$/);
    await expect.poll(async () => (await page.inputValue('#booking-slot')).slice(0, 10), { timeout: 20_000 }).toBe(date);
    await page.selectOption('#booking-resource', 'rum-kajen');
    await expect.poll(() => page.locator('#booking-slot option').first().textContent(), { timeout: 20_000 }).toBe('08:00–09:00');
    await page.click('#booking-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Bokat 08:00–09:00.');
    await expect.poll(() => page.locator('#booking-list li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('08:00–09:00 · Kajen')]);
    await expect.poll(() => page.locator('#booking-slot option').first().textContent(), { timeout: 20_000 }).toBe('09:00–10:00');
    await page.click('#booking-list li button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Avbokat.');
    await expect.poll(() => page.locator('#booking-list li').allTextContents(), { timeout: 20_000 }).toEqual(['Inga bokningar.']);
  });

  it('creates an event and marks attendance at the door by member code', async () => {
    const staffToken = await network.token('staff', 'umea');
    const post = (path: string, body: unknown) => fetch(`${network.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const org = await post('/api/hubs/umea/organisations', { name: 'Region Västerbotten', type: 'region' });
    const member = await post('/api/hubs/umea/members', { name: 'Ella Eventsson', email: 'ella@regionvasterbotten.se', organisationId: org.id, membership: 'member' });

    // Under way now: from the last quarter hour, for an hour (hub time).
    const start = new Date(Math.floor(Date.now() / 900_000) * 900_000);
    const local = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    await page.fill('#event-form input[name=title]', 'Frukostseminarium');
    await page.selectOption('#event-form select[name=kind]', 'training');
    await page.fill('#event-form input[name=date]', new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(start));
    await page.fill('#event-form input[name=from]', local(start));
    await page.fill('#event-form input[name=to]', local(new Date(start.getTime() + 3_600_000)));
    await page.fill('#event-form input[name=capacity]', '5');
    await page.selectOption('#event-room', '');
    await page.click('#event-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Frukostseminarium är skapat (publicerat).');
    await expect.poll(() => page.locator('#event-list li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('Frukostseminarium · publicerat · 5 platser kvar')]);

    await page.fill('#attendance-code', member.memberCode);
    await page.click('#attendance-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Närvaro markerad (drop-in).');
    await expect.poll(() => page.locator('#event-list li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('4 platser kvar')]);
    await page.fill('#attendance-code', member.memberCode);
    await page.click('#attendance-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Redan markerad som närvarande.');
  });

  it('opts a member in to the network directory at the desk, finds them, and opts them out', async () => {
    await page.fill('#search-q', 'eventsson');
    await page.click('#search-form button');
    await expect.poll(() => page.locator('#search-results li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('Ella Eventsson')]);
    // The profile form is hidden until a member is chosen (form { display: grid } once showed it, empty, with live buttons).
    expect(await page.locator('#directory-profile-form').isVisible()).toBe(false);
    await page.click('#search-results li button[data-directory]');
    await expect.poll(() => page.locator('#directory-consent-text').textContent(), { timeout: 20_000 }).toContain('Jag vill synas i samverkanshubbarnas nätverkskatalog');
    expect(await page.locator('#directory-profile-form').isVisible()).toBe(true);
    expect(await page.locator('#directory-state').textContent()).toBe('Inte med i katalogen.');
    await page.fill('#directory-profile-form input[name=role]', 'Energisamordnare');
    await page.fill('#directory-profile-form input[name=competences]', 'Fjärrvärme, Solceller');
    await page.fill('#directory-profile-form textarea[name=askMeAbout]', 'Energieffektivisering i offentliga lokaler');
    // Without the member's consent ticked, nothing is sent.
    await page.click('#directory-profile-form button[type=submit]');
    expect(await page.locator('#directory-state').textContent()).toBe('Inte med i katalogen.');
    await page.check('#directory-profile-form input[name=consent]');
    await page.click('#directory-profile-form button[type=submit]');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Ella Eventsson syns nu i nätverkskatalogen.');

    await page.fill('#directory-q', 'fjärrv');
    await page.selectOption('#directory-type', 'region');
    await page.click('#directory-search-form button');
    await expect.poll(() => page.locator('#directory-results li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringMatching(/Ella Eventsson · Region Västerbotten · .*Umeå.*Energisamordnare · Fjärrvärme, Solceller/)]);
    // Staff of another hub find her too.
    const boden = await fetch(`${network.url}/api/directory?q=solceller`, { headers: { authorization: `Bearer ${await network.token('staff', 'boden')}` } }).then((r) => r.json());
    expect(boden.profiles.map((p: { name: string }) => p.name)).toEqual(['Ella Eventsson']);

    await page.click('#directory-withdraw');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Profilen är borttagen ur katalogen, i alla hubbar.');
    await page.click('#directory-search-form button');
    await expect.poll(() => page.locator('#directory-results li').allTextContents(), { timeout: 20_000 }).toEqual(['Ingen träff.']);
  });

  it("records a member's research consent at the desk per study and scope, with the information text and its version, and makes a printable consent link", async () => {
    const staffToken = await network.token('staff', 'umea');
    const post = (path: string, body: unknown) =>
      fetch(`${network.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const org = await post('/api/hubs/umea/organisations', { name: 'Region Västerbotten', type: 'region' });
    const member = await post('/api/hubs/umea/members', { name: 'Ulla Forskning', email: 'ulla.forskning@regionvasterbotten.se', organisationId: org.id, membership: 'member' });

    await page.fill('#search-q', 'ulla forskning');
    await page.click('#search-form button');
    await expect.poll(() => page.locator('#search-results li').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringContaining('Ulla Forskning')]);
    await page.click('#search-results li button[data-research]');
    const study = page.getByRole('article', { name: /Följeforskning/ });
    await expect.poll(() => study.textContent(), { timeout: 20_000 }).toContain('Vill du delta i följeforskningen om samverkanshubbarna?');
    expect(await study.textContent()).toContain('Informationstextens version: 2026-01');

    // Each scope a group (fieldset + legend) with give and withdraw.
    const surveys = study.getByRole('group', { name: 'Enkäter' });
    expect(await surveys.textContent()).toContain('Inte tillfrågad.');
    await surveys.getByRole('button', { name: 'Samtycker' }).click();
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Samtycke registrerat: samverkanshubbar-i-norr, surveys.');
    await expect.poll(() => study.getByRole('group', { name: 'Enkäter' }).textContent(), { timeout: 20_000 }).toMatch(/Samtycke givet .* \(i receptionen\)/);
    const consents = await fetch(`${network.url}/api/hubs/umea/members/${member.id}/consents`, { headers: { authorization: `Bearer ${staffToken}` } }).then((r) => r.json());
    expect(consents.studies[0].scopes.find((s: { scope: string }) => s.scope === 'surveys')).toMatchObject({ state: 'given', textVersion: '2026-01', channel: 'desk' });

    await study.getByRole('group', { name: 'Enkäter' }).getByRole('button', { name: 'Återkalla' }).click();
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toBe('Samtycket är återkallat: samverkanshubbar-i-norr, surveys.');

    await page.click('#research-link-create');
    await expect.poll(() => page.locator('#research-link-url').getAttribute('href'), { timeout: 20_000 }).toMatch(new RegExp(`^${network.url}/consent\\.html#hub=umea&token=[A-Za-z0-9_-]{32}$`));
    expect(await page.locator('#research-link-print').isVisible()).toBe(true);

    // Reading the member's consents again after a change keeps the link that was made for them.
    await study.getByRole('group', { name: 'Enkäter' }).getByRole('button', { name: 'Samtycker' }).click();
    await expect.poll(() => study.getByRole('group', { name: 'Enkäter' }).textContent(), { timeout: 20_000 }).toMatch(/Samtycke givet .* \(i receptionen\)/);
    expect(await page.locator('#research-link-print').isVisible()).toBe(true);
  });

  it('fills type and organisation number from the network’s directory', async () => {
    await page.fill('#org-form input[name=name]', 'Skatteverket');
    await page.locator('#org-form input[name=name]').dispatchEvent('change');
    expect(await page.inputValue('#org-form input[name=orgNumber]')).toBe('202100-5448');
    expect(await page.inputValue('#org-form select[name=type]')).toBe('state-agency');
    await page.fill('#org-form input[name=orgNumber]', '');
    await page.fill('#org-form input[name=name]', '');
  });

  it('shows the API’s error, naming the field, when input is bad', async () => {
    await page.fill('#org-form input[name=name]', 'Bolaget');
    await page.fill('#org-form input[name=orgNumber]', '123');
    await page.click('#org-form button');
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('body.orgNumber');
    expect(await page.locator('#result').getAttribute('class')).toBe('error');
  });

  it('passes axe (WCAG 2.1 A/AA) as it stands', async () => {
    await expectAccessible(page, 'legacy.html');
  });

  it('switches to English', async () => {
    await page.click('#lang');
    await expect.poll(() => page.locator('#checkin-form button').textContent(), { timeout: 20_000 }).toBe('Check in');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
  });
});
