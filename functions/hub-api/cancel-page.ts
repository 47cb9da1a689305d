import type { HubConfig } from '../../hubs/schema.ts';
import type { HubEvent, Registration } from '../domain/hub-events.ts';

/**
 * The pages behind the private cancellation link of a public registration: plain, accessible
 * HTML in Swedish with English, nothing loaded from elsewhere. The link (GET) shows the
 * registration and a button; only the button's POST cancels, so a mail scanner that opens the
 * link changes nothing.
 */

/** Headers of every page: the key is in the URL, so no referrer leaves it, no cache keeps it, no robot indexes it. */
export const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
};
export const HTML = 'text/html; charset=utf-8';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(titleSv: string, titleEn: string, body: string): string {
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(titleSv)} / ${escapeHtml(titleEn)}</title>
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.5rem; }
dt { font-weight: bold; }
dd { margin: 0 0 0.75rem 0; }
button { font: inherit; font-size: 1.1rem; padding: 0.6rem 1.2rem; border: 2px solid #8a1c1c; background: #8a1c1c; color: #fff; border-radius: 4px; cursor: pointer; }
button:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
[lang="en"] { color: #444; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(titleSv)} <span lang="en">/ ${escapeHtml(titleEn)}</span></h1>
${body}
</main>
</body>
</html>
`;
}

function when(hub: HubConfig, e: HubEvent, locale: 'sv-SE' | 'en-GB') {
  const fmt = (iso: string) => new Date(iso).toLocaleString(locale, { timeZone: hub.timezone, dateStyle: 'full', timeStyle: 'short' });
  return `${fmt(e.start)} – ${fmt(e.end)}`;
}

function details(hub: HubConfig, e: HubEvent) {
  const room = e.resourceId ? hub.resources.find((r) => r.id === e.resourceId)?.name : undefined;
  const place = `${room ? `${room}, ` : ''}${hub.hostVenue.name}, ${hub.name}`;
  return `<dl>
<dt>Evenemang <span lang="en">/ Event</span></dt>
<dd>${escapeHtml(e.title)}${e.titleEn && e.titleEn !== e.title ? ` <span lang="en">/ ${escapeHtml(e.titleEn)}</span>` : ''}</dd>
<dt>Tid <span lang="en">/ Time</span></dt>
<dd>${escapeHtml(when(hub, e, 'sv-SE'))}<br><span lang="en">${escapeHtml(when(hub, e, 'en-GB'))}</span></dd>
<dt>Plats <span lang="en">/ Place</span></dt>
<dd>${escapeHtml(place)}</dd>
</dl>`;
}

/** The page the link opens: the registration and a button that cancels it (POST to the same address). */
export function cancelConfirmPage(hub: HubConfig, e: HubEvent, r: Registration, action: string): string {
  if (r.status === 'cancelled') {
    return page('Anmälan är redan avbokad', 'Registration already cancelled', `${details(hub, e)}
<p>Din anmälan är avbokad. Du behöver inte göra något mer.</p>
<p lang="en">Your registration has been cancelled. There is nothing more to do.</p>`);
  }
  const status = r.status === 'waitlisted' ? '<p>Du står på väntelistan. <span lang="en">You are on the waitlist.</span></p>' : '<p>Du är anmäld. <span lang="en">You are registered.</span></p>';
  const cancelled = e.status === 'cancelled' ? '<p>Evenemanget är inställt. <span lang="en">The event has been cancelled.</span></p>' : '';
  return page('Avboka din anmälan', 'Cancel your registration', `${details(hub, e)}
${status}
${cancelled}
<p>Vill du avboka? Tryck på knappen. Inget avbokas förrän du gjort det.</p>
<p lang="en">Do you want to cancel? Press the button. Nothing is cancelled until you do.</p>
<form method="post" action="${escapeHtml(action)}">
<button type="submit">Avboka min anmälan <span lang="en">/ Cancel my registration</span></button>
</form>`);
}

/** The page after the button: the registration is cancelled. */
export function cancelDonePage(hub: HubConfig, e: HubEvent, wasWaitlisted = false): string {
  // Only a confirmed registration held a seat to pass on.
  const [sv, en] = wasWaitlisted
    ? ['Tack! Din anmälan är avbokad, och du står inte längre på väntelistan.', 'Thank you. Your registration is cancelled, and you are no longer on the waitlist.']
    : ['Tack! Din anmälan är avbokad, och platsen går till nästa person i kön.', 'Thank you. Your registration is cancelled, and the seat goes to the next person in line.'];
  return page('Din anmälan är avbokad', 'Your registration is cancelled', `${details(hub, e)}
<p role="status">${sv}</p>
<p lang="en" role="status">${en}</p>`);
}

/** The page of any link that is not (or no longer) valid: says nothing about what exists. */
export function invalidLinkPage(): string {
  return page('Länken gäller inte', 'This link is not valid', `<p>Länken gäller inte, eller gäller inte längre. Kontrollera att du har kopierat hela länken från e-postmeddelandet, eller kontakta hubbens värdskap.</p>
<p lang="en">This link is not valid, or no longer valid. Check that you copied the whole link from the e-mail, or contact the hosts of the hub.</p>`);
}

/** A page for a cancellation that could not be done now (the event changed meanwhile). */
export function tryAgainPage(): string {
  return page('Det gick inte att avboka just nu', 'Could not cancel right now', `<p>Försök igen om en stund.</p>
<p lang="en">Please try again in a moment.</p>`);
}
