import { describe, expect, it } from 'vitest';
import { matches, profileTokens, MAX_TOKENS, words } from '../../functions/directory/directory.ts';
import type { HubEvent, Registration } from '../../functions/domain/hub-events.ts';
import { cancelConfirmPage, cancelDonePage, invalidLinkPage } from '../../functions/hub-api/cancel-page.ts';
import { loadHubs } from '../../hubs/load.ts';

const hub = loadHubs().find((h) => h.id === 'umea')!;

describe('directory words', () => {
  it('folds, splits at spaces, dots, @ and hyphens, and drops one-letter words from the index', () => {
    expect(words('Vätgas-Strateg  på Region.Västerbotten')).toEqual(['vatgas', 'strateg', 'pa', 'region', 'vasterbotten']);
    const tokens = profileTokens({ name: 'Åsa Ö', organisationName: 'Luleå tekniska universitet', role: 'E-hälsa', competences: ['AI', 'Vätgas'], askMeAbout: 'Vätgas i stål' });
    expect(tokens).toEqual(['asa', 'lulea', 'tekniska', 'universitet', 'halsa', 'ai', 'vatgas', 'stal']);
    expect(matches(tokens, ['vat', 'lul'])).toBe(true);
    expect(matches(tokens, ['vat', 'skog'])).toBe(false);
  });

  it('indexes at most MAX_TOKENS words, name and organisation first', () => {
    const tokens = profileTokens({ name: 'Namn Namnsson', organisationName: 'Org', competences: [], askMeAbout: Array.from({ length: 60 }, (_, i) => `ord${i}`).join(' ') });
    expect(tokens).toHaveLength(MAX_TOKENS);
    expect(tokens.slice(0, 3)).toEqual(['namn', 'namnsson', 'org']);
  });
});

describe('the cancellation pages', () => {
  const event = { id: 'evt_1', hubId: 'umea', title: '<script>alert("x")</script> & fika', titleEn: 'Coffee', kind: 'workshop', start: '2026-03-02T13:00:00.000Z', end: '2026-03-02T14:00:00.000Z', status: 'published' } as HubEvent;
  const registration = { id: 'reg_1', eventId: 'evt_1', status: 'confirmed', registrant: 'public' } as Registration;

  it('escapes the event text and posts to the given address; nothing is loaded from elsewhere', () => {
    const html = cancelConfirmPage(hub, event, registration, '/api/hubs/umea/events/evt_1/public-registrations/reg_1/cancel?key=a"b');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; fika');
    expect(html).toContain('action="/api/hubs/umea/events/evt_1/public-registrations/reg_1/cancel?key=a&quot;b"');
    expect(html).toContain('måndag 2 mars 2026 kl. 14:00');
    expect(html).toContain('Monday, 2 March 2026 at 14:00');
    expect(html).not.toMatch(/src=|href=|https?:/);
  });

  it('shows no button for a cancelled registration, and the invalid-link page names nothing', () => {
    expect(cancelConfirmPage(hub, event, { ...registration, status: 'cancelled' }, '/x')).not.toContain('<form');
    expect(cancelDonePage(hub, event)).toContain('Din anmälan är avbokad');
    expect(cancelDonePage(hub, event)).toContain('platsen går till nästa person i kön');
    // A waitlisted registrant held no seat to pass on.
    expect(cancelDonePage(hub, event, true)).not.toContain('platsen går till');
    expect(cancelDonePage(hub, event, true)).toContain('no longer on the waitlist');
    expect(invalidLinkPage()).not.toMatch(/fika|evt_1|reg_1/);
  });
});
