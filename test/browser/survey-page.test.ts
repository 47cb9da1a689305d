/**
 * The member's survey page in Chromium: reached by the link in the invitation e-mail, Swedish
 * first with English on request, every item a fieldset with a legend (radio groups, a number
 * field, check boxes with labels), errors naming the item, answered once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';
import { writeStudies } from '../support/studies.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';

const STUDY = 'norr-survey-page';
let network: LocalNetwork;
let browser: Browser;
let page: Page;
let link: string;

beforeAll(async () => {
  network = await startTestNetwork({ studiesDir: writeStudies([{ id: STUDY, samplingShare: 1, surveyInstruments: ['who-5', 'weak-ties'] }]) });
  const call = api(network);
  const token = await network.token('staff', 'umea');
  const org = await call('POST', '/api/hubs/umea/organisations', { token, body: { name: 'Umeå kommun', type: 'municipality' } });
  const m = await call('POST', '/api/hubs/umea/members', { token, body: { name: 'Sara Enkät', email: 'sara.enkat@umea.se', organisationId: org.json.id, membership: 'member' } });
  await call('POST', `/api/hubs/umea/members/${m.json.id}/consents`, { token, body: { studyId: STUDY, scope: 'surveys', state: 'given', textVersion: '2026-01' } });
  const visit = await call('POST', '/api/hubs/umea/check-ins', { token, body: { memberId: m.json.id } });
  await call('POST', `/api/hubs/umea/check-ins/${visit.json.visitId}/check-out`, { token });
  // The member follows the link in their e-mail (the local mail outbox).
  link = await eventually(async () => {
    if (!existsSync(network.mailDir)) return undefined;
    for (const f of readdirSync(network.mailDir)) {
      const mail = await simpleParser(readFileSync(join(network.mailDir, f)));
      const m = /(http:\/\/127\.0\.0\.1:\d+\/survey\.html#token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
      if (m) return m[1];
    }
    return undefined;
  }, 30_000);
  browser = await launchChromium();
  page = await browser.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await network?.stop();
});

describe('the survey page', () => {
  it('shows the items as labelled groups, names the items left unanswered, and takes the answers once', async () => {
    await page.goto(link);
    await expect.poll(() => page.locator('h2').first().textContent(), { timeout: 20_000 }).toBe('Välbefinnande (WHO-5)');
    expect(await page.getAttribute('html', 'lang')).toBe('sv');

    // Sending with nothing answered names each item, in the page (no request needed).
    await page.getByRole('button', { name: 'Skicka svaren' }).click();
    await expect.poll(() => page.locator('#errors').textContent()).toContain('Jag har känt mig glad och på gott humör: Svara på frågan');
    expect(await page.locator('fieldset[aria-invalid="true"]').count()).toBe(7); // 5 WHO-5 items, 2 counts (the multi-select may stay empty)
    await expectAccessible(page, 'the survey page with its errors');

    // English on request, answers by accessible names: each item a group (fieldset + legend).
    await page.getByRole('button', { name: 'English' }).click();
    const who5 = ['I have felt cheerful and in good spirits', 'I have felt calm and relaxed', 'I have felt active and vigorous', 'I woke up feeling fresh and rested', 'My daily life has been filled with things that interest me'];
    for (const item of who5) await page.getByRole('group', { name: item }).getByRole('radio', { name: '3 – More than half of the time' }).check();
    await page.getByRole('group', { name: /How many people from organisations other than your own/ }).getByRole('spinbutton').fill('2');
    await page.getByRole('group', { name: /How many of them have you been in contact with/ }).getByRole('spinbutton').fill('3');
    await page.getByRole('group', { name: /What kinds of organisations/ }).getByRole('checkbox', { name: 'Business' }).check();
    await page.getByRole('button', { name: 'Send the answers' }).click();
    await expect.poll(() => page.locator('#errors').textContent()).toContain('At most the number of people you met');

    // Fixed with the keyboard: focus the field, type.
    await page.getByRole('group', { name: /How many of them have you been in contact with/ }).getByRole('spinbutton').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1');
    await page.getByRole('button', { name: 'Send the answers' }).press('Enter');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000 }).toBe('Thank you! Your answers are saved.');
    // The answered form goes (its submit button once stayed on screen: a display rule beat the hidden attribute).
    expect(await page.locator('#send').isVisible()).toBe(false);

    // The link is used: opening it again says so, with no form to send.
    await page.reload();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000 }).toMatch(/inte emot svar längre/);
    expect(await page.locator('#send').isVisible()).toBe(false);
  });
});
