// The staff app (värdskap): Swedish first, English on request. Talks to API v1 only.
const texts = {
  sv: {
    title: 'samverkan · värdskap', hub: 'Hubb', signIn: 'Inloggning', tokenHint: 'Klistra in din token (lokalt: npm run --silent token -- --role staff --hub umea).',
    token: 'Token', save: 'Spara', checkIn: 'Checka in', memberCode: 'Medlemskod', checkInButton: 'Checka in', newOrganisation: 'Ny organisation',
    name: 'Namn', type: 'Typ', orgNumber: 'Organisationsnummer', homeMunicipality: 'Hemkommun', register: 'Registrera', newMember: 'Ny medlem',
    email: 'E-post', organisation: 'Organisation', employerLocation: 'Arbetsgivarens ort', membership: 'Medlemskap', messages: 'Meddelanden',
    'm_member': 'Medlem', 'm_guest': 'Gäst', 'm_business-partner': 'Näringslivspartner',
    't_state-agency': 'Statlig myndighet', t_municipality: 'Kommun', t_region: 'Region', 't_county-board': 'Länsstyrelse', 't_public-company': 'Kommunalt eller regionalt bolag',
    t_university: 'Lärosäte', t_business: 'Företag', t_other: 'Annan',
    phase: { preparation: 'förberedelse', 'start-up': 'uppstart', operation: 'drift' },
    resources: 'Resurser', desks: 'platser', oneDesk: '1 plats', seats: 'personer', venue: 'Värdlokal',
    checkedIn: (v) => `Incheckad ${new Date(v.checkedInAt).toLocaleTimeString('sv-SE', { timeZone: 'Europe/Stockholm' })} (besök ${v.id}).`,
    alreadyIn: (v) => `Redan incheckad sedan ${new Date(v.checkedInAt).toLocaleTimeString('sv-SE', { timeZone: 'Europe/Stockholm' })}.`,
    orgCreated: (o) => `Organisationen ${o.name} är registrerad.`, memberCreated: (m) => `${m.name} är registrerad. Medlemskod: ${m.memberCode}`,
    tokenSaved: 'Token sparad för den här fliken.', error: 'Fel', other: 'English',
    presence: 'Närvarande nu', refresh: 'Uppdatera', findMember: 'Hitta medlem', searchLabel: 'Namn, e-post eller organisation', search: 'Sök',
    checkOut: 'Checka ut', export: 'Exportera', erase: 'Radera', noneFound: 'Ingen träff.',
    presentSummary: (p) => `${p.count} på plats från ${p.organisations} ${p.organisations === 1 ? 'organisation' : 'organisationer'}.`,
    since: (t) => `sedan ${t}`, checkedOut: (v) => `Utcheckad efter ${v.durationMinutes} minuter.`,
    confirmErase: (m) => `Radera ${m.name} och alla personuppgifter? Det går inte att ångra.`, erased: 'Medlemmen är raderad.',
    bookings: 'Bokningar', date: 'Datum', resource: 'Resurs', slot: 'Tid', bookFor: 'Medlem (sök först)', book: 'Boka', cancel: 'Avboka',
    closed: (r) => `Stängt (${r}).`, left: (n) => `${n} kvar`, booked: (b) => `Bokat ${b.start.slice(11, 16)}–${b.end.slice(11, 16)}.`, cancelled: 'Avbokat.', noBookings: 'Inga bokningar.',
    halfDay: { AM: 'förmiddag', PM: 'eftermiddag', DAY: 'heldag' },
    events: 'Evenemang', eventTitle: 'Titel', eventTitleEn: 'Titel på engelska', kind: 'Slag', from: 'Från', to: 'Till', capacity: 'Platser', room: 'Rum',
    noRoom: '(inget rum)', openToNetwork: 'Öppet för nätverket', publish: 'Publicera', createEvent: 'Skapa evenemang', event: 'Evenemang', markAttendance: 'Markera närvaro',
    'k_workshop': 'Workshop', 'k_training': 'Utbildning', 'k_network-meeting': 'Nätverksträff', 'k_business-joint': 'Tillsammans med näringslivet', 'k_agency-office-hours': 'Myndighetens mottagning', 'k_other': 'Annat',
    eventCreated: (e) => `${e.title} är skapat (${e.status === 'published' ? 'publicerat' : 'utkast'}).`, noEvents: 'Inga kommande evenemang.',
    status: { draft: 'utkast', published: 'publicerat', cancelled: 'inställt' }, seatsLeft: (n) => `${n} platser kvar`,
    attended: (r) => (r.walkIn ? 'Närvaro markerad (drop-in).' : 'Närvaro markerad.'), alreadyAttended: 'Redan markerad som närvarande.',
  },
  en: {
    title: 'samverkan · hosting', hub: 'Hub', signIn: 'Sign in', tokenHint: 'Paste your token (locally: npm run --silent token -- --role staff --hub umea).',
    token: 'Token', save: 'Save', checkIn: 'Check in', memberCode: 'Member code', checkInButton: 'Check in', newOrganisation: 'New organisation',
    name: 'Name', type: 'Type', orgNumber: 'Organisation number', homeMunicipality: 'Home municipality', register: 'Register', newMember: 'New member',
    email: 'E-mail', organisation: 'Organisation', employerLocation: "Employer's location", membership: 'Membership', messages: 'Messages',
    'm_member': 'Member', 'm_guest': 'Guest', 'm_business-partner': 'Business partner',
    't_state-agency': 'State agency', t_municipality: 'Municipality', t_region: 'Region', 't_county-board': 'County board', 't_public-company': 'Municipal or regional company',
    t_university: 'University', t_business: 'Business', t_other: 'Other',
    phase: { preparation: 'preparation', 'start-up': 'start-up', operation: 'operation' },
    resources: 'Resources', desks: 'desks', oneDesk: '1 desk', seats: 'people', venue: 'Host venue',
    checkedIn: (v) => `Checked in at ${new Date(v.checkedInAt).toLocaleTimeString('en-GB', { timeZone: 'Europe/Stockholm' })} (visit ${v.id}).`,
    alreadyIn: (v) => `Already checked in since ${new Date(v.checkedInAt).toLocaleTimeString('en-GB', { timeZone: 'Europe/Stockholm' })}.`,
    orgCreated: (o) => `Organisation ${o.name} registered.`, memberCreated: (m) => `${m.name} registered. Member code: ${m.memberCode}`,
    tokenSaved: 'Token saved for this tab.', error: 'Error', other: 'Svenska',
    presence: 'In the hub now', refresh: 'Refresh', findMember: 'Find a member', searchLabel: 'Name, e-mail or organisation', search: 'Search',
    checkOut: 'Check out', export: 'Export', erase: 'Erase', noneFound: 'No match.',
    presentSummary: (p) => `${p.count} here from ${p.organisations} ${p.organisations === 1 ? 'organisation' : 'organisations'}.`,
    since: (t) => `since ${t}`, checkedOut: (v) => `Checked out after ${v.durationMinutes} minutes.`,
    confirmErase: (m) => `Erase ${m.name} and all personal data? This cannot be undone.`, erased: 'The member has been erased.',
    bookings: 'Bookings', date: 'Date', resource: 'Resource', slot: 'Time', bookFor: 'Member (search first)', book: 'Book', cancel: 'Cancel',
    closed: (r) => `Closed (${r}).`, left: (n) => `${n} left`, booked: (b) => `Booked ${b.start.slice(11, 16)}–${b.end.slice(11, 16)}.`, cancelled: 'Cancelled.', noBookings: 'No bookings.',
    halfDay: { AM: 'morning', PM: 'afternoon', DAY: 'whole day' },
    events: 'Events', eventTitle: 'Title', eventTitleEn: 'Title in English', kind: 'Kind', from: 'From', to: 'To', capacity: 'Seats', room: 'Room',
    noRoom: '(no room)', openToNetwork: 'Open to the network', publish: 'Publish', createEvent: 'Create event', event: 'Event', markAttendance: 'Mark attendance',
    'k_workshop': 'Workshop', 'k_training': 'Training', 'k_network-meeting': 'Network meeting', 'k_business-joint': 'Joint with business', 'k_agency-office-hours': 'Agency office hours', 'k_other': 'Other',
    eventCreated: (e) => `${e.title} created (${e.status === 'published' ? 'published' : 'draft'}).`, noEvents: 'No coming events.',
    status: { draft: 'draft', published: 'published', cancelled: 'cancelled' }, seatsLeft: (n) => `${n} seats left`,
    attended: (r) => (r.walkIn ? 'Attendance marked (walk-in).' : 'Attendance marked.'), alreadyAttended: 'Already marked as attending.',
  },
};

const $ = (sel) => document.querySelector(sel);
let lang = localStorage.getItem('samverkan.lang') || 'sv';
let hubs = [];
const organisations = JSON.parse(sessionStorage.getItem('samverkan.orgs') || '{}');
const t = (key) => texts[lang][key];

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const value = t(el.dataset.i18n);
    if (typeof value === 'string') el.textContent = value;
  }
  $('#lang').textContent = t('other');
  renderHub();
}

function say(message, kind = 'ok') {
  const out = $('#result');
  out.className = kind;
  out.textContent = message;
}

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const token = sessionStorage.getItem('samverkan.token');
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const issues = (json.error?.issues || []).map((i) => `${i.path}: ${i.message}`).join('\n');
    throw new Error(`${res.status} ${json.error?.message || res.statusText}${issues ? `\n${issues}` : ''}`);
  }
  return { status: res.status, json };
}

const currentHub = () => $('#hub').value;

function renderHub() {
  const hub = hubs.find((h) => h.id === currentHub());
  const info = $('#hub-info');
  if (!hub) return;
  const res = (hub.resources || [])
    .map((r) => `<li>${escape(r.name)} – ${r.count ? `${r.count} ${t('desks')}` : r.capacity ? `${r.capacity} ${t('seats')}` : t('oneDesk')}</li>`)
    .join('');
  info.innerHTML = `<h2>${escape(hub.name)}</h2><p>${escape(hub.city)}, ${escape(hub.county)} · ${t('phase')[hub.phase]} · ${t('venue')}: ${escape(hub.hostVenue.name)}</p>${res ? `<strong>${t('resources')}</strong><ul class="resources">${res}</ul>` : ''}`;
  $('#event-room').innerHTML = `<option value="">${escape(t('noRoom'))}</option>${(hub.resources || []).filter((r) => r.type === 'room' || r.type === 'event-space').map((r) => `<option value="${escape(r.id)}">${escape(r.name)}</option>`).join('')}`;
  const select = $('#member-org');
  select.innerHTML = Object.values(organisations[currentHub()] || {}).map((o) => `<option value="${escape(o.id)}">${escape(o.name)}</option>`).join('');
}

function escape(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function formData(form) {
  return Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim() !== ''));
}

async function loadHub(id) {
  const { json } = await api('GET', `/api/hubs/${id}`);
  hubs = hubs.map((h) => (h.id === id ? json : h));
  renderHub();
}

async function start() {
  const { json } = await api('GET', '/api/hubs');
  hubs = json.hubs;
  $('#hub').innerHTML = hubs.map((h) => `<option value="${h.id}">${escape(h.name)}</option>`).join('');
  const saved = localStorage.getItem('samverkan.hub');
  if (saved && hubs.some((h) => h.id === saved)) $('#hub').value = saved;
  $('#token').value = sessionStorage.getItem('samverkan.token') || '';
  applyLanguage();
  await loadHub(currentHub());
}

$('#hub').addEventListener('change', () => {
  localStorage.setItem('samverkan.hub', currentHub());
  loadHub(currentHub())
    .then(() => Promise.all([loadPresence(), loadBookingDay(), loadEvents()]))
    .catch((e) => say(`${t('error')}: ${e.message}`, 'error'));
});
$('#lang').addEventListener('click', () => {
  lang = lang === 'sv' ? 'en' : 'sv';
  localStorage.setItem('samverkan.lang', lang);
  applyLanguage();
});
$('#token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('samverkan.token', $('#token').value.trim());
  say(t('tokenSaved'));
  Promise.all([loadPresence(), loadBookingDay(), loadEvents()]).catch((err) => say(`${t('error')}: ${err.message}`, 'error'));
});
$('#checkin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { status, json } = await api('POST', `/api/hubs/${currentHub()}/check-ins`, { memberCode: $('#checkin-code').value.trim() });
    say(status === 201 ? t('checkedIn')(json) : t('alreadyIn')(json));
    e.target.reset();
    await loadPresence();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});
$('#org-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { json } = await api('POST', `/api/hubs/${currentHub()}/organisations`, formData(e.target));
    (organisations[currentHub()] ??= {})[json.id] = { id: json.id, name: json.name };
    sessionStorage.setItem('samverkan.orgs', JSON.stringify(organisations));
    renderHub();
    say(t('orgCreated')(json));
    e.target.reset();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});
$('#member-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { json } = await api('POST', `/api/hubs/${currentHub()}/members`, formData(e.target));
    say(t('memberCreated')(json));
    e.target.reset();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});

const clock = (iso) => new Date(iso).toLocaleTimeString(lang === 'sv' ? 'sv-SE' : 'en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit' });

async function loadPresence() {
  if (!sessionStorage.getItem('samverkan.token')) return;
  const { json } = await api('GET', `/api/hubs/${currentHub()}/presence`);
  $('#presence-summary').textContent = t('presentSummary')(json);
  $('#presence').innerHTML = json.present
    .map((p) => `<li><span>${escape(p.name)} · ${escape(p.organisationName)} · ${t('since')(clock(p.since))}</span><span class="actions"><button type="button" data-checkout="${escape(p.visitId)}">${t('checkOut')}</button></span></li>`)
    .join('');
}

async function loadDirectory() {
  const { json } = await api('GET', '/api/organisations');
  directory = json.organisations;
  $('#directory').innerHTML = directory.map((o) => `<option value="${escape(o.name)}"></option>`).join('');
}
let directory = [];

$('#org-form input[name=name]').addEventListener('change', (e) => {
  const known = directory.find((o) => o.name === e.target.value);
  if (!known) return;
  $('#org-form select[name=type]').value = known.type;
  $('#org-form input[name=orgNumber]').value = known.orgNumber ?? '';
});

$('#presence-refresh').addEventListener('click', () => loadPresence().catch((e) => say(`${t('error')}: ${e.message}`, 'error')));
$('#presence').addEventListener('click', async (e) => {
  const visitId = e.target.dataset?.checkout;
  if (!visitId) return;
  try {
    const { json } = await api('POST', `/api/hubs/${currentHub()}/check-ins/${encodeURIComponent(visitId)}/check-out`);
    say(t('checkedOut')(json));
    await loadPresence();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});

let found = [];
$('#search-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { json } = await api('GET', `/api/hubs/${currentHub()}/members?q=${encodeURIComponent($('#search-q').value.trim())}`);
    found = json.members;
    memberChoices();
    $('#search-results').innerHTML = found.length
      ? found
          .map(
            (m) =>
              `<li><span>${escape(m.name)} · ${escape(m.memberCode)}</span><span class="actions"><button type="button" data-checkin="${escape(m.id)}">${t('checkInButton')}</button><button type="button" data-export="${escape(m.id)}">${t('export')}</button><button type="button" class="danger" data-erase="${escape(m.id)}">${t('erase')}</button></span></li>`,
          )
          .join('')
      : `<li>${t('noneFound')}</li>`;
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});
$('#search-results').addEventListener('click', async (e) => {
  const { checkin, export: exportId, erase } = e.target.dataset ?? {};
  try {
    if (checkin) {
      const { status, json } = await api('POST', `/api/hubs/${currentHub()}/check-ins`, { memberId: checkin });
      say(status === 201 ? t('checkedIn')(json) : t('alreadyIn')(json));
      await loadPresence();
    } else if (exportId) {
      const { json } = await api('GET', `/api/hubs/${currentHub()}/members/${encodeURIComponent(exportId)}/export`);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
      link.download = `samverkan-${currentHub()}-${exportId}.json`;
      link.click();
    } else if (erase) {
      const m = found.find((x) => x.id === erase);
      if (!m || !confirm(t('confirmErase')(m))) return;
      await api('DELETE', `/api/hubs/${currentHub()}/members/${encodeURIComponent(erase)}`);
      e.target.closest('li').remove();
      say(t('erased'));
      await loadPresence();
    }
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});

// Bookings: pick a day and a resource, then a free time; book it for a member found by search.
let day = null;
const hhmmOf = (iso) => iso.slice(11, 16);

function bookingOptions() {
  const resource = day?.resources.find((r) => r.id === $('#booking-resource').value);
  if (!resource) {
    $('#booking-slot').innerHTML = '';
    return;
  }
  const free = resource.slots.filter((s) => s.available > 0);
  let options;
  if (resource.type === 'desk' || resource.type === 'desk-pool') {
    options = free.map((s, i) => ({ start: s.start, end: s.end, label: `${t('halfDay')[i === 0 && hhmmOf(s.start) === hhmmOf(resource.slots[0].start) ? 'AM' : 'PM']} ${hhmmOf(s.start)}–${hhmmOf(s.end)}${resource.type === 'desk-pool' ? ` (${t('left')(s.available)})` : ''}` }));
    if (free.length === resource.slots.length && free.length === 2) options.push({ start: free[0].start, end: free[1].end, label: `${t('halfDay').DAY} ${hhmmOf(free[0].start)}–${hhmmOf(free[1].end)}` });
  } else {
    // Rooms: free hours (four free 15-minute slots in a row), on the hour.
    options = free
      .filter((s, i) => hhmmOf(s.start).endsWith(':00') && [1, 2, 3].every((k) => free[i + k] && free[i + k].start === free[i + k - 1].end))
      .map((s) => ({ start: s.start, end: free[free.indexOf(s) + 3].end, label: `${hhmmOf(s.start)}–${hhmmOf(free[free.indexOf(s) + 3].end)}` }));
  }
  $('#booking-slot').innerHTML = options.map((o) => `<option value="${escape(`${o.start}|${o.end}`)}">${escape(o.label)}</option>`).join('');
}

async function loadBookingDay() {
  if (!sessionStorage.getItem('samverkan.token') || !$('#booking-date').value) return;
  const date = $('#booking-date').value;
  const hub = currentHub();
  const [{ json: availability }, { json: list }] = await Promise.all([
    api('GET', `/api/hubs/${hub}/availability?date=${date}`),
    api('GET', `/api/hubs/${hub}/bookings?date=${date}`),
  ]);
  // A slower answer for a day or hub no longer shown must not overwrite the newer one.
  if (date !== $('#booking-date').value || hub !== currentHub()) return;
  day = availability;
  const selected = $('#booking-resource').value;
  $('#booking-resource').innerHTML = day.resources.map((r) => `<option value="${escape(r.id)}">${escape(r.name)}</option>`).join('');
  if (day.resources.some((r) => r.id === selected)) $('#booking-resource').value = selected;
  $('#booking-day').textContent = day.open ? `${day.open.opens}–${day.open.closes}` : t('closed')(day.closedReason);
  bookingOptions();
  const names = new Map(day.resources.map((r) => [r.id, r.name]));
  const active = list.bookings.filter((b) => b.status === 'confirmed');
  $('#booking-list').innerHTML = active.length
    ? active.map((b) => `<li><span>${hhmmOf(b.start)}–${hhmmOf(b.end)} · ${escape(names.get(b.resourceId) ?? b.resourceId)}</span><span class="actions"><button type="button" data-cancel="${escape(b.id)}">${t('cancel')}</button></span></li>`).join('')
    : `<li>${t('noBookings')}</li>`;
}

function memberChoices() {
  $('#booking-member').innerHTML = found.map((m) => `<option value="${escape(m.id)}">${escape(m.name)} · ${escape(m.memberCode)}</option>`).join('');
}

$('#booking-date').value = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());
$('#booking-date').addEventListener('change', () => loadBookingDay().catch((e) => say(`${t('error')}: ${e.message}`, 'error')));
$('#booking-resource').addEventListener('change', bookingOptions);
$('#booking-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const [start, end] = ($('#booking-slot').value || '|').split('|');
  try {
    const { json } = await api('POST', `/api/hubs/${currentHub()}/bookings`, { resourceId: $('#booking-resource').value, memberId: $('#booking-member').value, start, end });
    say(t('booked')(json));
    await loadBookingDay();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});
$('#booking-list').addEventListener('click', async (e) => {
  const id = e.target.dataset?.cancel;
  if (!id) return;
  try {
    await api('DELETE', `/api/hubs/${currentHub()}/bookings/${encodeURIComponent(id)}`);
    say(t('cancelled'));
    await loadBookingDay();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});

// Events: create one (in a room or not, published or as a draft), list the coming ones, mark attendance by member code.
/** A hub-local wall-clock time on a date as ISO with the Stockholm offset of that moment. */
function stockholmIso(date, time) {
  for (const offset of ['+01:00', '+02:00']) {
    const iso = `${date}T${time}:00${offset}`;
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    if (local === time) return iso;
  }
  return `${date}T${time}:00+01:00`; // a time the clock change skips: the API says what is wrong
}

async function loadEvents() {
  if (!sessionStorage.getItem('samverkan.token')) return;
  const hub = currentHub();
  const { json } = await api('GET', `/api/hubs/${hub}/events`);
  if (hub !== currentHub()) return;
  const live = json.events.filter((e) => e.status !== 'cancelled');
  const when = (e) => `${e.localDate} ${hhmmOf(e.start)}–${hhmmOf(e.end)}`;
  $('#event-list').innerHTML = live.length
    ? live.map((e) => `<li><span>${escape(when(e))} · ${escape(lang === 'en' && e.titleEn ? e.titleEn : e.title)} · ${escape(t('status')[e.status])} · ${escape(t('seatsLeft')(e.seatsLeft))}</span></li>`).join('')
    : `<li>${t('noEvents')}</li>`;
  const selected = $('#attendance-event').value;
  $('#attendance-event').innerHTML = live.filter((e) => e.status === 'published').map((e) => `<option value="${escape(e.id)}">${escape(when(e))} · ${escape(e.title)}</option>`).join('');
  if ([...$('#attendance-event').options].some((o) => o.value === selected)) $('#attendance-event').value = selected;
}

$('#event-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = {
    title: String(f.get('title') || '').trim(),
    kind: f.get('kind'),
    start: stockholmIso(f.get('date'), f.get('from')),
    // An end at or before the start is on the next day (an event into the night).
    end: stockholmIso(f.get('to') <= f.get('from') ? new Date(Date.parse(`${f.get('date')}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : f.get('date'), f.get('to')),
    capacity: Number(f.get('capacity')),
    openToNetwork: f.get('openToNetwork') === 'on',
    status: f.get('publish') === 'on' ? 'published' : 'draft',
  };
  const titleEn = String(f.get('titleEn') || '').trim();
  if (titleEn) body.titleEn = titleEn;
  if (f.get('resourceId')) body.resourceId = f.get('resourceId');
  try {
    const { json } = await api('POST', `/api/hubs/${currentHub()}/events`, body);
    say(t('eventCreated')(json));
    await loadEvents();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});
$('#attendance-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { status, json } = await api('POST', `/api/hubs/${currentHub()}/events/${encodeURIComponent($('#attendance-event').value)}/attendance`, { memberCode: $('#attendance-code').value.trim() });
    say(status === 201 ? t('attended')(json) : t('alreadyAttended'));
    $('#attendance-code').value = '';
    await loadEvents();
  } catch (err) {
    say(`${t('error')}: ${err.message}`, 'error');
  }
});
$('#event-form input[name=date]').value = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

start()
  .then(() => Promise.all([loadDirectory(), loadPresence(), loadBookingDay(), loadEvents()]))
  .catch((e) => say(`${t('error')}: ${e.message}`, 'error'));
