// The staff app (värdskap): Swedish first, English on request. Talks to API v1 only.
// Type-checked with the project (tsconfig includes web/**/*.ts); the local runtime serves it as
// /app.js, its types stripped by esbuild. Response types come from the contract's zod schemas.
import type { z } from 'zod';
import type {
  AvailabilityResponse,
  BookingResponse,
  DirectoryResponse,
  HubDetail,
  HubSummary,
  MemberResponse,
  OrganisationResponse,
  PresenceResponse,
  VisitResponse,
} from '../functions/api/contract.ts';
import type { HubEventResponse, RegistrationResponse } from '../functions/api/hub-events-contract.ts';
import type { ConsentLinkResponse, ConsentResponse, MemberConsentsResponse } from '../functions/api/consent-contract.ts';
import type { DirectoryProfileResponse, DirectoryStateResponse } from '../functions/directory/contract.ts';
import { COUNTIES, MUNICIPALITIES } from '../hubs/municipalities.ts';
import { Auth, SessionExpired } from './auth.ts';

type Visit = z.infer<typeof VisitResponse>;
type Member = z.infer<typeof MemberResponse>;
type Organisation = z.infer<typeof OrganisationResponse>;
type Presence = z.infer<typeof PresenceResponse>;
type Availability = z.infer<typeof AvailabilityResponse>;
type Booking = z.infer<typeof BookingResponse>;
type Hub = z.infer<typeof HubSummary> & Partial<Pick<z.infer<typeof HubDetail>, 'resources'>>;
type DirectoryEntry = z.infer<typeof DirectoryResponse>['organisations'][number];
type HubEvent = z.infer<typeof HubEventResponse>;
type Registration = z.infer<typeof RegistrationResponse>;
type Profile = z.infer<typeof DirectoryProfileResponse>;
type DirectoryState = z.infer<typeof DirectoryStateResponse>;
type MemberConsents = z.infer<typeof MemberConsentsResponse>;
type ConsentLink = z.infer<typeof ConsentLinkResponse>;
type Consent = z.infer<typeof ConsentResponse>;
type Lang = 'sv' | 'en';

const sv = {
  title: 'samverkan · värdskap', hub: 'Hubb', signIn: 'Inloggning', signInHint: 'Logga in med ditt konto för att arbeta i din hubb.',
  signInButton: 'Logga in', signOut: 'Logga ut', signedInAs: 'Inloggad som', roleNational: 'nationell administratör', roleResearcher: 'forskare',
  roleStaff: (hubs: string) => `värdskap, ${hubs}`, noHubAccess: 'Ditt konto har inte tillgång till någon hubb.',
  notStaffHint: 'Du ser hubbens uppgifter; registrering, incheckning och bokning gör hubbens värdskap.',
  sessionExpired: 'Sessionen har gått ut. Du loggas in igen; det du har skrivit finns kvar.', draftRestored: 'Välkommen tillbaka. Det du skrev innan sessionen gick ut finns kvar: skicka igen.',
  signInFailed: 'Inloggningen misslyckades', checkIn: 'Checka in', memberCode: 'Medlemskod', checkInButton: 'Checka in', newOrganisation: 'Ny organisation',
  name: 'Namn', type: 'Typ', orgNumber: 'Organisationsnummer', homeMunicipality: 'Hemkommun', register: 'Registrera', newMember: 'Ny medlem',
  email: 'E-post', organisation: 'Organisation', employerLocation: 'Arbetsgivarens ort (om kommunen saknas i listan)', employerMunicipality: 'Arbetsgivarens kommun', membership: 'Medlemskap', messages: 'Meddelanden',
  'm_member': 'Medlem', 'm_guest': 'Gäst', 'm_business-partner': 'Näringslivspartner',
  't_state-agency': 'Statlig myndighet', t_municipality: 'Kommun', t_region: 'Region', 't_county-board': 'Länsstyrelse', 't_public-company': 'Kommunalt eller regionalt bolag',
  t_university: 'Lärosäte', t_business: 'Företag', t_other: 'Annan',
  phase: { preparation: 'förberedelse', 'start-up': 'uppstart', operation: 'drift' },
  resources: 'Resurser', desks: 'platser', oneDesk: '1 plats', seats: 'personer', venue: 'Värdlokal',
  checkedIn: (v: Visit) => `Incheckad ${new Date(v.checkedInAt).toLocaleTimeString('sv-SE', { timeZone: 'Europe/Stockholm' })} (besök ${v.id}).`,
  alreadyIn: (v: Visit) => `Redan incheckad sedan ${new Date(v.checkedInAt).toLocaleTimeString('sv-SE', { timeZone: 'Europe/Stockholm' })}.`,
  orgCreated: (o: Pick<Organisation, 'name'>) => `Organisationen ${o.name} är registrerad.`, memberCreated: (m: Member) => `${m.name} är registrerad. Medlemskod: ${m.memberCode}`,
  error: 'Fel', other: 'English',
  presence: 'Närvarande nu', refresh: 'Uppdatera', findMember: 'Hitta medlem', searchLabel: 'Namn, e-post eller organisation', search: 'Sök',
  checkOut: 'Checka ut', export: 'Exportera', erase: 'Radera', noneFound: 'Ingen träff.',
  presentSummary: (p: Presence) => `${p.count} på plats från ${p.organisations} ${p.organisations === 1 ? 'organisation' : 'organisationer'}.`,
  since: (t: string) => `sedan ${t}`, checkedOut: (v: Visit) => `Utcheckad efter ${v.durationMinutes} ${v.durationMinutes === 1 ? 'minut' : 'minuter'}.`,
  confirmErase: (m: Member) => `Radera ${m.name} och alla personuppgifter? Det går inte att ångra.`, erased: 'Medlemmen är raderad.',
  bookings: 'Bokningar', date: 'Datum', resource: 'Resurs', slot: 'Tid', bookFor: 'Medlem (sök först)', book: 'Boka', cancel: 'Avboka',
  closed: (r: string | undefined) => `Stängt (${r}).`, left: (n: number) => `${n} kvar`, booked: (b: Booking) => `Bokat ${b.start.slice(11, 16)}–${b.end.slice(11, 16)}.`, cancelled: 'Avbokat.', noBookings: 'Inga bokningar.',
  halfDay: { AM: 'förmiddag', PM: 'eftermiddag', DAY: 'heldag' },
  events: 'Evenemang', eventTitle: 'Titel', eventTitleEn: 'Titel på engelska', kind: 'Slag', from: 'Från', to: 'Till', capacity: 'Platser', room: 'Rum',
  noRoom: '(inget rum)', openToNetwork: 'Öppet för nätverket', publish: 'Publicera', createEvent: 'Skapa evenemang', event: 'Evenemang', markAttendance: 'Markera närvaro',
  'k_workshop': 'Workshop', 'k_training': 'Utbildning', 'k_network-meeting': 'Nätverksträff', 'k_business-joint': 'Tillsammans med näringslivet', 'k_agency-office-hours': 'Myndighetens mottagning', 'k_other': 'Annat',
  eventCreated: (e: HubEvent) => `${e.title} är skapat (${e.status === 'published' ? 'publicerat' : 'utkast'}).`, noEvents: 'Inga kommande evenemang.',
  status: { draft: 'utkast', published: 'publicerat', cancelled: 'inställt' }, seatsLeft: (n: number) => `${n} platser kvar`,
  attended: (r: Registration): string => (r.walkIn ? 'Närvaro markerad (drop-in).' : 'Närvaro markerad.'), alreadyAttended: 'Redan markerad som närvarande.',
  networkDirectory: 'Nätverkskatalog', directoryHint: 'Personer i alla hubbar som har valt att synas. Kontakt går via deras hemmahubbs värdskap.',
  directorySearchLabel: 'Kompetens, roll, organisation eller namn', homeHub: 'Hemmahubb', allHubs: 'Alla hubbar', allTypes: 'Alla typer', more: 'Visa fler',
  directoryProfileFor: 'Katalogprofil för', role: 'Roll', competences: 'Kompetenser (kommaseparerade)', askMeAbout: 'Fråga mig om',
  consentGiven: 'Medlemmen har läst texten och samtycker', publishProfile: 'Publicera i katalogen', withdrawProfile: 'Ta bort ur katalogen', directory: 'Katalog',
  profilePublished: (p: Profile): string => `${p.name} syns nu i nätverkskatalogen.`, profileWithdrawn: 'Profilen är borttagen ur katalogen, i alla hubbar.',
  directoryState: (s: DirectoryState): string => (s.published ? `Publicerad sedan ${s.profile?.publishedAt.slice(0, 10) ?? ''}.` : 'Inte med i katalogen.'),
  research: 'Forskning', researchConsentFor: 'Samtycke till forskning för', noStudies: 'Inga pågående studier följer den här hubben.',
  researchHint: 'Visa eller läs upp informationstexten för medlemmen innan du registrerar ett samtycke. Versionen som visas sparas.',
  textVersion: 'Informationstextens version', pi: 'Ansvarig forskare', period: 'Period', give: 'Samtycker', withdraw: 'Återkalla',
  scopeName: { usage: 'Besök, bokningar och evenemang', 'co-presence': 'Samtidig närvaro (nätverk)', surveys: 'Enkäter', recontact: 'Forskarna får be om mer via hubben' } as Record<string, string>,
  consentState: (s: { state?: string; participates: boolean; changedAt?: string; channel?: string }): string =>
    s.state === 'given' ? `Samtycke givet ${s.changedAt?.slice(0, 10) ?? ''} (${s.channel === 'link' ? 'via länk' : 'i receptionen'}).` : s.state === 'withdrawn' ? `Återkallat ${s.changedAt?.slice(0, 10) ?? ''}.` : s.participates ? 'Ingår (allmänt intresse) tills medlemmen avstår.' : 'Inte tillfrågad.',
  consentSaved: (c: Consent): string => `${c.state === 'given' ? 'Samtycke registrerat' : 'Samtycket är återkallat'}: ${c.studyId}, ${c.scope}.`,
  consentLink: 'Skapa personlig samtyckeslänk', consentLinkHint: (l: ConsentLink): string => `Länken gäller till ${l.expiresAt.slice(0, 10)}. Skriv ut den eller skicka den till medlemmen; den är personlig.`, print: 'Skriv ut',
};
type Catalog = typeof sv;
const en: Catalog = {
  title: 'samverkan · hosting', hub: 'Hub', signIn: 'Sign in', signInHint: 'Sign in with your account to work in your hub.',
  signInButton: 'Sign in', signOut: 'Sign out', signedInAs: 'Signed in as', roleNational: 'national administrator', roleResearcher: 'researcher',
  roleStaff: (hubs) => `hosting, ${hubs}`, noHubAccess: 'Your account has access to no hub.',
  notStaffHint: "You see the hub's details; registering, check-in and bookings are done by the hub's staff.",
  sessionExpired: 'Your session has expired. You are being signed in again; what you typed is kept.', draftRestored: 'Welcome back. What you typed before the session expired is kept: send it again.',
  signInFailed: 'Sign-in failed', checkIn: 'Check in', memberCode: 'Member code', checkInButton: 'Check in', newOrganisation: 'New organisation',
  name: 'Name', type: 'Type', orgNumber: 'Organisation number', homeMunicipality: 'Home municipality', register: 'Register', newMember: 'New member',
  email: 'E-mail', organisation: 'Organisation', employerLocation: "Employer's location (when not in the list)", employerMunicipality: "Employer's municipality", membership: 'Membership', messages: 'Messages',
  'm_member': 'Member', 'm_guest': 'Guest', 'm_business-partner': 'Business partner',
  't_state-agency': 'State agency', t_municipality: 'Municipality', t_region: 'Region', 't_county-board': 'County board', 't_public-company': 'Municipal or regional company',
  t_university: 'University', t_business: 'Business', t_other: 'Other',
  phase: { preparation: 'preparation', 'start-up': 'start-up', operation: 'operation' },
  resources: 'Resources', desks: 'desks', oneDesk: '1 desk', seats: 'people', venue: 'Host venue',
  checkedIn: (v: Visit) => `Checked in at ${new Date(v.checkedInAt).toLocaleTimeString('en-GB', { timeZone: 'Europe/Stockholm' })} (visit ${v.id}).`,
  alreadyIn: (v: Visit) => `Already checked in since ${new Date(v.checkedInAt).toLocaleTimeString('en-GB', { timeZone: 'Europe/Stockholm' })}.`,
  orgCreated: (o: Pick<Organisation, 'name'>) => `Organisation ${o.name} registered.`, memberCreated: (m: Member) => `${m.name} registered. Member code: ${m.memberCode}`,
  error: 'Error', other: 'Svenska',
  presence: 'In the hub now', refresh: 'Refresh', findMember: 'Find a member', searchLabel: 'Name, e-mail or organisation', search: 'Search',
  checkOut: 'Check out', export: 'Export', erase: 'Erase', noneFound: 'No match.',
  presentSummary: (p: Presence) => `${p.count} here from ${p.organisations} ${p.organisations === 1 ? 'organisation' : 'organisations'}.`,
  since: (t: string) => `since ${t}`, checkedOut: (v: Visit) => `Checked out after ${v.durationMinutes} ${v.durationMinutes === 1 ? 'minute' : 'minutes'}.`,
  confirmErase: (m: Member) => `Erase ${m.name} and all personal data? This cannot be undone.`, erased: 'The member has been erased.',
  bookings: 'Bookings', date: 'Date', resource: 'Resource', slot: 'Time', bookFor: 'Member (search first)', book: 'Book', cancel: 'Cancel',
  closed: (r: string | undefined) => `Closed (${r}).`, left: (n: number) => `${n} left`, booked: (b: Booking) => `Booked ${b.start.slice(11, 16)}–${b.end.slice(11, 16)}.`, cancelled: 'Cancelled.', noBookings: 'No bookings.',
  halfDay: { AM: 'morning', PM: 'afternoon', DAY: 'whole day' },
  events: 'Events', eventTitle: 'Title', eventTitleEn: 'Title in English', kind: 'Kind', from: 'From', to: 'To', capacity: 'Seats', room: 'Room',
  noRoom: '(no room)', openToNetwork: 'Open to the network', publish: 'Publish', createEvent: 'Create event', event: 'Event', markAttendance: 'Mark attendance',
  'k_workshop': 'Workshop', 'k_training': 'Training', 'k_network-meeting': 'Network meeting', 'k_business-joint': 'Joint with business', 'k_agency-office-hours': 'Agency office hours', 'k_other': 'Other',
  eventCreated: (e) => `${e.title} created (${e.status === 'published' ? 'published' : 'draft'}).`, noEvents: 'No coming events.',
  status: { draft: 'draft', published: 'published', cancelled: 'cancelled' }, seatsLeft: (n) => `${n} seats left`,
  attended: (r) => (r.walkIn ? 'Attendance marked (walk-in).' : 'Attendance marked.'), alreadyAttended: 'Already marked as attending.',
  networkDirectory: 'Network directory', directoryHint: 'People at every hub who chose to be listed. Contact them through the hosts of their home hub.',
  directorySearchLabel: 'Competence, role, organisation or name', homeHub: 'Home hub', allHubs: 'All hubs', allTypes: 'All types', more: 'Show more',
  directoryProfileFor: 'Directory profile of', role: 'Role', competences: 'Competences (comma-separated)', askMeAbout: 'Ask me about',
  consentGiven: 'The member has read the text and agrees', publishProfile: 'Publish in the directory', withdrawProfile: 'Remove from the directory', directory: 'Directory',
  profilePublished: (p) => `${p.name} is now listed in the network directory.`, profileWithdrawn: 'The profile has been removed from the directory, at every hub.',
  directoryState: (s) => (s.published ? `Published since ${s.profile?.publishedAt.slice(0, 10) ?? ''}.` : 'Not in the directory.'),
  research: 'Research', researchConsentFor: 'Research consent of', noStudies: 'No ongoing study follows this hub.',
  researchHint: 'Show or read the information text to the member before recording a consent. The version shown is stored.',
  textVersion: 'Version of the information text', pi: 'Principal investigator', period: 'Period', give: 'Consents', withdraw: 'Withdraw',
  scopeName: { usage: 'Visits, bookings and events', 'co-presence': 'Co-presence (network)', surveys: 'Surveys', recontact: 'Researchers may ask for more through the hub' },
  consentState: (s) =>
    s.state === 'given' ? `Consent given ${s.changedAt?.slice(0, 10) ?? ''} (${s.channel === 'link' ? 'by link' : 'at the desk'}).` : s.state === 'withdrawn' ? `Withdrawn ${s.changedAt?.slice(0, 10) ?? ''}.` : s.participates ? 'Included (public interest) until the member opts out.' : 'Not asked.',
  consentSaved: (c) => `${c.state === 'given' ? 'Consent recorded' : 'Consent withdrawn'}: ${c.studyId}, ${c.scope}.`,
  consentLink: 'Create a personal consent link', consentLinkHint: (l) => `The link works until ${l.expiresAt.slice(0, 10)}. Print it or send it to the member; it is personal.`, print: 'Print',
};
const texts: Record<Lang, Catalog> = { sv, en };

/** The element a selector names; the page is static, so a missing one is a bug. */
function $<T extends Element = HTMLElement>(sel: string): T {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`No element ${sel}`);
  return el;
}
const input = (sel: string) => $<HTMLInputElement>(sel);
const select = (sel: string) => $<HTMLSelectElement>(sel);

let lang: Lang = localStorage.getItem('samverkan.lang') === 'en' ? 'en' : 'sv';
let hubs: Hub[] = [];
type KnownOrganisations = Record<string, Record<string, { id: string; name: string }>>;
const organisations = JSON.parse(sessionStorage.getItem('samverkan.orgs') || '{}') as KnownOrganisations;
const t = <K extends keyof Catalog>(key: K): Catalog[K] => texts[lang][key];
const isKey = (key: string): key is keyof Catalog => Object.hasOwn(sv, key);

/** The message of a thrown value. */
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const fail = (err: unknown) => (err instanceof SessionExpired ? say(t('sessionExpired')) : say(`${t('error')}: ${messageOf(err)}`, 'error'));

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n ?? '';
    const value = isKey(key) ? t(key) : undefined;
    if (typeof value === 'string') el.textContent = value;
  }
  $('#lang').textContent = t('other');
  $('#lang').lang = lang === 'sv' ? 'en' : 'sv';
  renderHub();
  renderUser();
}

function say(message: string, kind: 'ok' | 'error' = 'ok') {
  const out = $('#result');
  out.className = kind;
  out.textContent = message;
}

interface ApiErrorBody {
  error?: { message?: string; issues?: { path: string; message: string }[] };
}

/** The signed-in session (set by start()); undefined until /config.json is read. */
let auth: Auth | undefined;
const signedIn = () => Boolean(auth?.user);

/**
 * Calls API v1 with the signed-in person's token; a 401 renews the token once (refresh token),
 * then sends the person to sign-in with what they typed kept. A 4xx/5xx becomes an Error naming each field at fault.
 */
async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const send = async () => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth?.user) headers.authorization = `Bearer ${await auth.token()}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  };
  let res = await send();
  if (res.status === 401 && auth?.user) {
    if (await auth.renew()) res = await send();
    if (res.status === 401) await auth.expired();
  }
  const json: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = (json as ApiErrorBody).error;
    const issues = (error?.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('\n');
    throw new Error(`${res.status} ${error?.message || res.statusText}${issues ? `\n${issues}` : ''}`);
  }
  return { status: res.status, json: json as T };
}

const currentHub = () => select('#hub').value;

function renderHub() {
  const hub = hubs.find((h) => h.id === currentHub());
  const info = $('#hub-info');
  if (!hub) return;
  const res = (hub.resources ?? [])
    .map((r) => `<li>${html(r.name)} – ${r.count ? `${r.count} ${t('desks')}` : r.capacity ? `${r.capacity} ${t('seats')}` : t('oneDesk')}</li>`)
    .join('');
  info.innerHTML = `<h2>${html(hub.name)}</h2><p>${html(hub.city)}, ${html(hub.county)} · ${t('phase')[hub.phase]} · ${t('venue')}: ${html(hub.hostVenue.name)}</p>${res ? `<strong>${t('resources')}</strong><ul class="resources">${res}</ul>` : ''}`;
  select('#event-room').innerHTML = `<option value="">${html(t('noRoom'))}</option>${(hub.resources ?? [])
    .filter((r) => r.type === 'room' || r.type === 'event-space')
    .map((r) => `<option value="${html(r.id)}">${html(r.name)}</option>`)
    .join('')}`;
  select('#member-org').innerHTML = Object.values(organisations[currentHub()] ?? {})
    .map((o) => `<option value="${html(o.id)}">${html(o.name)}</option>`)
    .join('');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML. */
function html(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A form's filled-in fields. */
function formData(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)] as const).filter(([, v]) => v.trim() !== ''));
}

async function loadHub(id: string) {
  const { json } = await api<z.infer<typeof HubDetail>>('GET', `/api/hubs/${id}`);
  hubs = hubs.map((h) => (h.id === id ? json : h));
  renderHub();
}

/** The hubs the signed-in person works in: every hub for a national administrator, their own for staff. */
function hubsOf(all: Hub[]): Hub[] {
  const groups = auth?.groups() ?? [];
  if (groups.includes('national')) return all;
  return all.filter((h) => groups.includes(`staff-${h.id}`));
}

/** Staff of the hub shown: the hub's desk work is theirs (a national administrator only looks at other hubs). */
const worksAt = (hubId: string) => (auth?.groups() ?? []).includes(`staff-${hubId}`);

function renderUser() {
  const user = auth?.user;
  document.body.classList.toggle('signed-out', !user);
  document.body.classList.toggle('not-staff', Boolean(user) && !worksAt(currentHub()));
  $('#signed-out').hidden = Boolean(user);
  $('#signed-in').hidden = !user;
  if (!user) return;
  $('#user-name').textContent = String(user.profile.email ?? user.profile['cognito:username'] ?? user.profile.sub);
  const groups = auth?.groups() ?? [];
  const staffOf = hubs.filter((h) => groups.includes(`staff-${h.id}`)).map((h) => h.name);
  $('#user-role').textContent = groups.includes('national') ? t('roleNational') : staffOf.length ? t('roleStaff')(staffOf.join(', ')) : groups.includes('researcher') ? t('roleResearcher') : '';
}

async function start() {
  auth = await Auth.load();
  try {
    await auth.start();
  } catch (err) {
    say(`${t('signInFailed')}: ${messageOf(err)}`, 'error');
  }
  const { json } = await api<{ hubs: Hub[] }>('GET', '/api/hubs');
  hubs = hubsOf(json.hubs);
  select('#hub').innerHTML = hubs.map((h) => `<option value="${h.id}">${html(h.name)}</option>`).join('');
  const saved = localStorage.getItem('samverkan.hub');
  if (saved && hubs.some((h) => h.id === saved)) select('#hub').value = saved;
  select('#directory-hub').insertAdjacentHTML('beforeend', json.hubs.map((h) => `<option value="${h.id}">${html(h.name)}</option>`).join(''));
  applyLanguage();
  renderUser();
  if (!auth.user) return;
  if (hubs.length === 0) say(t('noHubAccess'), 'error');
  else await loadHub(currentHub());
  if (auth.restoreDrafts()) say(t('draftRestored'));
}

/** The element a click landed on, for delegated handlers. */
const clicked = (e: Event) => (e.target instanceof HTMLElement ? e.target : undefined);
const formOf = (e: Event) => e.target as HTMLFormElement;

$('#hub').addEventListener('change', () => {
  localStorage.setItem('samverkan.hub', currentHub());
  renderUser();
  loadHub(currentHub())
    .then(() => Promise.all([loadPresence(), loadBookingDay(), loadEvents()]))
    .catch(fail);
});
$('#lang').addEventListener('click', () => {
  lang = lang === 'sv' ? 'en' : 'sv';
  localStorage.setItem('samverkan.lang', lang);
  applyLanguage();
  if (!$('#research-consent').hidden) renderResearchConsent();
});
$('#sign-in').addEventListener('click', () => {
  auth?.signIn().catch(fail);
});
$('#sign-out').addEventListener('click', () => {
  auth?.signOut().catch(fail);
});
$('#checkin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { status, json } = await api<Visit>('POST', `/api/hubs/${currentHub()}/check-ins`, { memberCode: input('#checkin-code').value.trim() });
    say(status === 201 ? t('checkedIn')(json) : t('alreadyIn')(json));
    formOf(e).reset();
    await loadPresence();
  } catch (err) {
    fail(err);
  }
});
$('#org-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { json } = await api<Organisation>('POST', `/api/hubs/${currentHub()}/organisations`, formData(formOf(e)));
    organisations[currentHub()] ??= {};
    (organisations[currentHub()] ?? {})[json.id] = { id: json.id, name: json.name };
    sessionStorage.setItem('samverkan.orgs', JSON.stringify(organisations));
    renderHub();
    say(t('orgCreated')(json));
    formOf(e).reset();
  } catch (err) {
    fail(err);
  }
});
/** The municipality list of the member form: "Umeå (2480)", searchable by name or code (SCB's 290, from hubs/municipalities.ts). */
const municipalityLabel = (m: (typeof MUNICIPALITIES)[number]) => `${m.name} (${m.code})`;
$('#municipalities').innerHTML = MUNICIPALITIES.map((m) => `<option value="${html(municipalityLabel(m))}">${html(COUNTIES[m.county] ?? '')}</option>`).join('');

/** The SCB code of what was typed: a label from the list, a name, or a code; what matches nothing goes as typed, and the API names the field. */
function municipalityCode(typed: string): string {
  const t = typed.trim().toLowerCase();
  const m = MUNICIPALITIES.find((x) => municipalityLabel(x).toLowerCase() === t || x.name.toLowerCase() === t || x.code === t);
  return m?.code ?? typed.trim();
}

$('#member-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const body = formData(formOf(e));
    if (body.employerMunicipality) body.employerMunicipality = municipalityCode(body.employerMunicipality);
    const { json } = await api<Member>('POST', `/api/hubs/${currentHub()}/members`, body);
    say(t('memberCreated')(json));
    formOf(e).reset();
  } catch (err) {
    fail(err);
  }
});

const clock = (iso: string) => new Date(iso).toLocaleTimeString(lang === 'sv' ? 'sv-SE' : 'en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit' });

async function loadPresence() {
  if (!signedIn() || !worksAt(currentHub())) return;
  const { json } = await api<Presence>('GET', `/api/hubs/${currentHub()}/presence`);
  $('#presence-summary').textContent = t('presentSummary')(json);
  $('#presence').innerHTML = json.present
    .map((p) => `<li><span>${html(p.name)} · ${html(p.organisationName)} · ${t('since')(clock(p.since))}</span><span class="actions"><button type="button" data-checkout="${html(p.visitId)}">${t('checkOut')}</button></span></li>`)
    .join('');
}

let directory: DirectoryEntry[] = [];
async function loadDirectory() {
  const { json } = await api<{ organisations: DirectoryEntry[] }>('GET', '/api/organisations');
  directory = json.organisations;
  $('#directory').innerHTML = directory.map((o) => `<option value="${html(o.name)}"></option>`).join('');
}

input('#org-form input[name=name]').addEventListener('change', (e) => {
  const known = directory.find((o) => o.name === (e.target as HTMLInputElement).value);
  if (!known) return;
  select('#org-form select[name=type]').value = known.type;
  input('#org-form input[name=orgNumber]').value = known.orgNumber ?? '';
});

$('#presence-refresh').addEventListener('click', () => {
  loadPresence().catch(fail);
});
$('#presence').addEventListener('click', async (e) => {
  const visitId = clicked(e)?.dataset.checkout;
  if (!visitId) return;
  try {
    const { json } = await api<Visit>('POST', `/api/hubs/${currentHub()}/check-ins/${encodeURIComponent(visitId)}/check-out`);
    say(t('checkedOut')(json));
    await loadPresence();
  } catch (err) {
    fail(err);
  }
});

let found: Member[] = [];
$('#search-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { json } = await api<{ members: Member[] }>('GET', `/api/hubs/${currentHub()}/members?q=${encodeURIComponent(input('#search-q').value.trim())}`);
    found = json.members;
    memberChoices();
    $('#search-results').innerHTML = found.length
      ? found
          .map(
            (m) =>
              `<li><span>${html(m.name)} · ${html(m.memberCode)}</span><span class="actions"><button type="button" data-checkin="${html(m.id)}">${t('checkInButton')}</button><button type="button" data-export="${html(m.id)}">${t('export')}</button><button type="button" data-directory="${html(m.id)}">${t('directory')}</button><button type="button" data-research="${html(m.id)}">${t('research')}</button><button type="button" class="danger" data-erase="${html(m.id)}">${t('erase')}</button></span></li>`,
          )
          .join('')
      : `<li>${t('noneFound')}</li>`;
  } catch (err) {
    fail(err);
  }
});
$('#search-results').addEventListener('click', async (e) => {
  const target = clicked(e);
  const { checkin, export: exportId, erase, directory: directoryId, research } = target?.dataset ?? {};
  try {
    if (directoryId) {
      await openDirectoryProfile(directoryId);
    } else if (research) {
      await openResearchConsent(research);
    } else if (checkin) {
      const { status, json } = await api<Visit>('POST', `/api/hubs/${currentHub()}/check-ins`, { memberId: checkin });
      say(status === 201 ? t('checkedIn')(json) : t('alreadyIn')(json));
      await loadPresence();
    } else if (exportId) {
      const { json } = await api<unknown>('GET', `/api/hubs/${currentHub()}/members/${encodeURIComponent(exportId)}/export`);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
      link.download = `samverkan-${currentHub()}-${exportId}.json`;
      link.click();
    } else if (erase) {
      const m = found.find((x) => x.id === erase);
      if (!m || !confirm(t('confirmErase')(m))) return;
      await api('DELETE', `/api/hubs/${currentHub()}/members/${encodeURIComponent(erase)}`);
      target?.closest('li')?.remove();
      say(t('erased'));
      await loadPresence();
    }
  } catch (err) {
    fail(err);
  }
});

// Bookings: pick a day and a resource, then a free time; book it for a member found by search.
let day: Availability | undefined;
const hhmmOf = (iso: string) => iso.slice(11, 16);

function bookingOptions() {
  const resource = day?.resources.find((r) => r.id === select('#booking-resource').value);
  if (!resource) {
    $('#booking-slot').innerHTML = '';
    return;
  }
  const free = resource.slots.filter((s) => s.available > 0);
  let options: { start: string; end: string; label: string }[];
  if (resource.type === 'desk' || resource.type === 'desk-pool') {
    const firstStart = resource.slots[0]?.start ?? '';
    options = free.map((s, i) => ({
      start: s.start,
      end: s.end,
      label: `${t('halfDay')[i === 0 && hhmmOf(s.start) === hhmmOf(firstStart) ? 'AM' : 'PM']} ${hhmmOf(s.start)}–${hhmmOf(s.end)}${resource.type === 'desk-pool' ? ` (${t('left')(s.available)})` : ''}`,
    }));
    const [am, pm] = free;
    if (am && pm && free.length === resource.slots.length && free.length === 2) options.push({ start: am.start, end: pm.end, label: `${t('halfDay').DAY} ${hhmmOf(am.start)}–${hhmmOf(pm.end)}` });
  } else {
    // Rooms: free hours (four free 15-minute slots in a row), on the hour.
    options = free.flatMap((s, i) => {
      const run = free.slice(i, i + 4);
      const last = run[3];
      const contiguous = run.every((slot, k) => k === 0 || slot.start === run[k - 1]?.end);
      return last && contiguous && hhmmOf(s.start).endsWith(':00') ? [{ start: s.start, end: last.end, label: `${hhmmOf(s.start)}–${hhmmOf(last.end)}` }] : [];
    });
  }
  $('#booking-slot').innerHTML = options.map((o) => `<option value="${html(`${o.start}|${o.end}`)}">${html(o.label)}</option>`).join('');
}

async function loadBookingDay() {
  const date = input('#booking-date').value;
  if (!signedIn() || !worksAt(currentHub()) || !date) return;
  const hub = currentHub();
  const [{ json: availability }, { json: list }] = await Promise.all([
    api<Availability>('GET', `/api/hubs/${hub}/availability?date=${date}`),
    api<{ bookings: Booking[] }>('GET', `/api/hubs/${hub}/bookings?date=${date}`),
  ]);
  // A slower answer for a day or hub no longer shown must not overwrite the newer one.
  if (date !== input('#booking-date').value || hub !== currentHub()) return;
  day = availability;
  const selected = select('#booking-resource').value;
  select('#booking-resource').innerHTML = availability.resources.map((r) => `<option value="${html(r.id)}">${html(r.name)}</option>`).join('');
  if (availability.resources.some((r) => r.id === selected)) select('#booking-resource').value = selected;
  $('#booking-day').textContent = availability.open ? `${availability.open.opens}–${availability.open.closes}` : t('closed')(availability.closedReason);
  bookingOptions();
  const names = new Map(availability.resources.map((r) => [r.id, r.name]));
  const active = list.bookings.filter((b) => b.status === 'confirmed');
  $('#booking-list').innerHTML = active.length
    ? active.map((b) => `<li><span>${hhmmOf(b.start)}–${hhmmOf(b.end)} · ${html(names.get(b.resourceId) ?? b.resourceId)}</span><span class="actions"><button type="button" data-cancel="${html(b.id)}">${t('cancel')}</button></span></li>`).join('')
    : `<li>${t('noBookings')}</li>`;
}

function memberChoices() {
  select('#booking-member').innerHTML = found.map((m) => `<option value="${html(m.id)}">${html(m.name)} · ${html(m.memberCode)}</option>`).join('');
}

input('#booking-date').value = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());
$('#booking-date').addEventListener('change', () => {
  loadBookingDay().catch(fail);
});
$('#booking-resource').addEventListener('change', bookingOptions);
$('#booking-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const [start, end] = (select('#booking-slot').value || '|').split('|');
  try {
    const { json } = await api<Booking>('POST', `/api/hubs/${currentHub()}/bookings`, { resourceId: select('#booking-resource').value, memberId: select('#booking-member').value, start, end });
    say(t('booked')(json));
    await loadBookingDay();
  } catch (err) {
    fail(err);
  }
});
$('#booking-list').addEventListener('click', async (e) => {
  const id = clicked(e)?.dataset.cancel;
  if (!id) return;
  try {
    await api('DELETE', `/api/hubs/${currentHub()}/bookings/${encodeURIComponent(id)}`);
    say(t('cancelled'));
    await loadBookingDay();
  } catch (err) {
    fail(err);
  }
});

// Events: create one (in a room or not, published or as a draft), list the coming ones, mark attendance by member code.
/** A hub-local wall-clock time on a date as ISO with the Stockholm offset of that moment. */
function stockholmIso(date: string, time: string): string {
  for (const offset of ['+01:00', '+02:00']) {
    const iso = `${date}T${time}:00${offset}`;
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    if (local === time) return iso;
  }
  return `${date}T${time}:00+01:00`; // a time the clock change skips: the API says what is wrong
}

async function loadEvents() {
  if (!signedIn() || !worksAt(currentHub())) return;
  const hub = currentHub();
  const { json } = await api<{ events: HubEvent[] }>('GET', `/api/hubs/${hub}/events`);
  if (hub !== currentHub()) return;
  const live = json.events.filter((e) => e.status !== 'cancelled');
  const when = (e: HubEvent) => `${e.localDate} ${hhmmOf(e.start)}–${hhmmOf(e.end)}`;
  $('#event-list').innerHTML = live.length
    ? live.map((e) => `<li><span>${html(when(e))} · ${html(lang === 'en' && e.titleEn ? e.titleEn : e.title)} · ${html(t('status')[e.status])} · ${html(t('seatsLeft')(e.seatsLeft))}</span></li>`).join('')
    : `<li>${t('noEvents')}</li>`;
  const attendance = select('#attendance-event');
  const selected = attendance.value;
  attendance.innerHTML = live
    .filter((e) => e.status === 'published')
    .map((e) => `<option value="${html(e.id)}">${html(when(e))} · ${html(e.title)}</option>`)
    .join('');
  if ([...attendance.options].some((o) => o.value === selected)) attendance.value = selected;
}

$('#event-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = formData(formOf(e));
  const date = f.date ?? '';
  const from = f.from ?? '';
  const to = f.to ?? '';
  // An end at or before the start is on the next day (an event into the night).
  const endDate = to <= from ? new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : date;
  const body = {
    title: (f.title ?? '').trim(),
    kind: f.kind,
    start: stockholmIso(date, from),
    end: stockholmIso(endDate, to),
    capacity: Number(f.capacity),
    openToNetwork: f.openToNetwork === 'on',
    status: f.publish === 'on' ? 'published' : 'draft',
    ...(f.titleEn?.trim() ? { titleEn: f.titleEn.trim() } : {}),
    ...(f.resourceId ? { resourceId: f.resourceId } : {}),
  };
  try {
    const { json } = await api<HubEvent>('POST', `/api/hubs/${currentHub()}/events`, body);
    say(t('eventCreated')(json));
    await loadEvents();
  } catch (err) {
    fail(err);
  }
});
$('#attendance-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { status, json } = await api<Registration>('POST', `/api/hubs/${currentHub()}/events/${encodeURIComponent(select('#attendance-event').value)}/attendance`, {
      memberCode: input('#attendance-code').value.trim(),
    });
    say(status === 201 ? t('attended')(json) : t('alreadyAttended'));
    input('#attendance-code').value = '';
    await loadEvents();
  } catch (err) {
    fail(err);
  }
});
// The network directory: search every hub's opted-in profiles; opt a member in or out at the desk, with the consent text shown.
let directoryCursor: string | undefined;
const hubName = (id: string) => hubs.find((h) => h.id === id)?.name ?? id;

function profileItem(p: Profile): string {
  const what = [p.role, p.competences.join(', ')].filter(Boolean).join(' · ');
  return `<li><span><strong>${html(p.name)}</strong> · ${html(p.organisationName)} · ${html(p.hubName ?? hubName(p.hubId))}${what ? `<br>${html(what)}` : ''}${p.askMeAbout ? `<br><em>${html(t('askMeAbout'))}:</em> ${html(p.askMeAbout)}` : ''}</span></li>`;
}

async function searchDirectory(more: boolean) {
  const params = new URLSearchParams();
  const q = input('#directory-q').value.trim();
  if (q) params.set('q', q);
  if (select('#directory-hub').value) params.set('hub', select('#directory-hub').value);
  if (select('#directory-type').value) params.set('organisationType', select('#directory-type').value);
  if (more && directoryCursor) params.set('cursor', directoryCursor);
  const { json } = await api<{ profiles: Profile[]; nextCursor?: string }>('GET', `/api/directory?${params}`);
  directoryCursor = json.nextCursor;
  const items = json.profiles.map(profileItem).join('');
  if (more) $('#directory-results').insertAdjacentHTML('beforeend', items);
  else $('#directory-results').innerHTML = items || `<li>${t('noneFound')}</li>`;
  $('#directory-more').hidden = !directoryCursor;
}

function showDirectoryState(s: DirectoryState) {
  $('#directory-state').textContent = t('directoryState')(s);
  $('#directory-withdraw').hidden = !s.published;
}

async function openDirectoryProfile(memberId: string) {
  const { json } = await api<DirectoryState>('GET', `/api/hubs/${currentHub()}/members/${encodeURIComponent(memberId)}/directory-profile`);
  const form = $<HTMLFormElement>('#directory-profile-form');
  form.reset();
  form.hidden = false;
  form.dataset.consentVersion = json.consentText?.version ?? '';
  input('#directory-member').value = memberId;
  $('#directory-member-name').textContent = found.find((m) => m.id === memberId)?.name ?? memberId;
  $('#directory-consent-text').textContent = json.consentText ? (lang === 'en' ? json.consentText.en : json.consentText.sv) : '';
  input('#directory-profile-form input[name=role]').value = json.profile?.role ?? '';
  input('#directory-profile-form input[name=competences]').value = json.profile?.competences.join(', ') ?? '';
  $<HTMLTextAreaElement>('#directory-profile-form textarea[name=askMeAbout]').value = json.profile?.askMeAbout ?? '';
  showDirectoryState(json);
  form.scrollIntoView({ block: 'nearest' });
}

$('#directory-search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  searchDirectory(false).catch(fail);
});
$('#directory-more').addEventListener('click', () => {
  searchDirectory(true).catch(fail);
});
$('#directory-profile-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = formOf(e);
  const f = formData(form);
  const competences = (f.competences ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  const body = {
    consentVersion: form.dataset.consentVersion ?? '',
    ...(f.role ? { role: f.role.trim() } : {}),
    ...(competences.length ? { competences } : {}),
    ...(f.askMeAbout?.trim() ? { askMeAbout: f.askMeAbout.trim() } : {}),
  };
  try {
    const memberId = input('#directory-member').value;
    const { json } = await api<Profile>('PUT', `/api/hubs/${currentHub()}/members/${encodeURIComponent(memberId)}/directory-profile`, body);
    say(t('profilePublished')(json));
    showDirectoryState({ memberId, published: true, profile: json, consents: [] });
  } catch (err) {
    fail(err);
  }
});
$('#directory-withdraw').addEventListener('click', async () => {
  try {
    const memberId = input('#directory-member').value;
    const { json } = await api<DirectoryState>('DELETE', `/api/hubs/${currentHub()}/members/${encodeURIComponent(memberId)}/directory-profile`);
    say(t('profileWithdrawn'));
    showDirectoryState(json);
  } catch (err) {
    fail(err);
  }
});

// Research consent at the desk: per study and scope, give or withdraw with the information text
// shown (its version is sent and stored); or a personal link to the member's own consent page.
let consentMember = '';
let consentStudies: MemberConsents['studies'] = [];

function renderResearchConsent() {
  const root = $('#research-studies');
  if (consentStudies.length === 0) {
    root.innerHTML = `<p>${html(t('noStudies'))}</p>`;
    return;
  }
  root.innerHTML = consentStudies
    .map((study) => {
      const info = lang === 'en' ? study.information.en : study.information.sv;
      const scopes = study.scopes
        .map(
          (s) => `<fieldset class="consent-scope"><legend>${html(t('scopeName')[s.scope] ?? s.scope)}</legend>
            <p class="hint" data-consent-state="${html(study.studyId)}:${html(s.scope)}">${html(t('consentState')(s))}</p>
            <button type="button" data-consent="${html(study.studyId)}|${html(s.scope)}|given" ${s.state === 'given' ? 'disabled' : ''}>${html(t('give'))}</button>
            <button type="button" class="danger" data-consent="${html(study.studyId)}|${html(s.scope)}|withdrawn" ${s.state === 'withdrawn' || (!s.state && !s.participates) ? 'disabled' : ''}>${html(t('withdraw'))}</button></fieldset>`,
        )
        .join('');
      return `<article class="study" aria-label="${html(study.title)}"><h4>${html(study.title)}</h4>
        <p class="hint">${html(t('pi'))}: ${html(study.principalInvestigator)}, ${html(study.institution)}. ${html(t('period'))}: ${html(study.start)} – ${html(study.end)}. ${html(t('textVersion'))}: <strong>${html(study.information.version)}</strong></p>
        <details open><summary>${html(info.heading)}</summary><div class="info">${html(info.body)}</div></details>${scopes}</article>`;
    })
    .join('');
}

async function openResearchConsent(memberId: string) {
  const { json } = await api<MemberConsents>('GET', `/api/hubs/${currentHub()}/members/${encodeURIComponent(memberId)}/consents`);
  // A consent link made for this member stays shown while their consents are read again (after a
  // give or withdraw); it is hidden only when another member is opened.
  if (memberId !== consentMember) $('#research-link').hidden = true;
  consentMember = memberId;
  consentStudies = json.studies;
  $('#research-member-name').textContent = found.find((m) => m.id === memberId)?.name ?? memberId;
  $('#research-consent').hidden = false;
  renderResearchConsent();
  $('#research-consent').scrollIntoView({ block: 'nearest' });
}

$('#research-studies').addEventListener('click', async (e) => {
  const action = clicked(e)?.dataset.consent;
  if (!action) return;
  const [studyId, scope, state] = action.split('|');
  const study = consentStudies.find((s) => s.studyId === studyId);
  if (!study) return;
  try {
    const { json } = await api<Consent>('POST', `/api/hubs/${currentHub()}/members/${encodeURIComponent(consentMember)}/consents`, { studyId, scope, state, textVersion: study.information.version });
    say(t('consentSaved')(json));
    await openResearchConsent(consentMember);
  } catch (err) {
    fail(err);
  }
});
$('#research-link-create').addEventListener('click', async () => {
  try {
    const { json } = await api<ConsentLink>('POST', `/api/hubs/${currentHub()}/members/${encodeURIComponent(consentMember)}/consents/links`);
    const url = `${location.origin}${json.url}`;
    const link = $<HTMLAnchorElement>('#research-link-url');
    link.href = url;
    link.textContent = url;
    $('#research-link-hint').textContent = t('consentLinkHint')(json);
    $('#research-link').hidden = false;
  } catch (err) {
    fail(err);
  }
});
$('#research-link-print').addEventListener('click', () => window.print());

input('#event-form input[name=date]').value = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

start()
  .then(() => (signedIn() ? Promise.all([loadDirectory(), loadPresence(), loadBookingDay(), loadEvents()]) : undefined))
  .catch(fail);
