// The member's consent page, reached by the private link staff send or print
// (`/consent.html#hub=<hubId>&token=<token>`: the token stays in the fragment, out of server logs).
// Swedish first, English on request; shows each study's information text and records the version seen.

const TEXT = {
  sv: {
    title: 'Samtycke till forskning',
    intro: 'Här väljer du om forskarna som följer samverkanshubbarna får uppgifter om dig. Du kan ändra dig när som helst.',
    other: 'English',
    otherLang: 'en',
    give: 'Jag samtycker',
    withdraw: 'Återkalla',
    given: 'Du har samtyckt',
    withdrawn: 'Du har återkallat ditt samtycke',
    none: 'Du har inte svarat',
    included: 'Du ingår (studien bygger på allmänt intresse; du kan avstå)',
    saved: 'Sparat.',
    invalid: 'Länken gäller inte (längre). Be personalen i hubben om en ny.',
    failed: 'Det gick inte att spara. Försök igen.',
    pi: 'Ansvarig forskare',
    period: 'Period',
    scopes: {
      usage: 'Mina besök, bokningar och evenemang',
      'co-presence': 'Vilka organisationer jag är i hubben samtidigt med (nätverk)',
      surveys: 'Korta enkäter',
      recontact: 'Forskarna får be mig om mer (t.ex. en intervju) via hubben',
    },
  },
  en: {
    title: 'Consent to research',
    intro: 'Here you choose whether the researchers who follow the collaboration hubs receive data about you. You can change your mind at any time.',
    other: 'Svenska',
    otherLang: 'sv',
    give: 'I consent',
    withdraw: 'Withdraw',
    given: 'You have consented',
    withdrawn: 'You have withdrawn your consent',
    none: 'You have not answered',
    included: 'You are included (the study is in the public interest; you may opt out)',
    saved: 'Saved.',
    invalid: 'This link is not valid (any more). Ask the hub staff for a new one.',
    failed: 'Could not save. Please try again.',
    pi: 'Principal investigator',
    period: 'Period',
    scopes: {
      usage: 'My visits, bookings and events',
      'co-presence': 'Which organisations I am in the hub with at the same time (network)',
      surveys: 'Short surveys',
      recontact: 'The researchers may ask me for more (e.g. an interview) through the hub',
    },
  },
};

const params = new URLSearchParams(location.hash.slice(1));
const hub = params.get('hub') ?? '';
const token = params.get('token') ?? '';
const base = `/api/hubs/${encodeURIComponent(hub)}/consent-links/${encodeURIComponent(token)}`;
let lang = 'sv';
let data;

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};

function status(message) {
  document.getElementById('status').textContent = message;
}

function render() {
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  document.getElementById('title').textContent = t.title;
  document.getElementById('intro').textContent = t.intro;
  const toggle = document.getElementById('lang');
  toggle.textContent = t.other;
  toggle.lang = t.otherLang;
  const list = document.getElementById('studies');
  list.replaceChildren();
  for (const study of data?.studies ?? []) {
    const info = study.information[lang];
    const section = el('section', { className: 'study' }, el('h2', { textContent: info.heading }));
    section.setAttribute('aria-label', study.title);
    section.append(
      el('p', {}, el('strong', { textContent: study.title })),
      el('p', { textContent: `${t.pi}: ${study.principalInvestigator}, ${study.institution}. ${t.period}: ${study.start} – ${study.end}.` }),
      el('div', { className: 'info', textContent: info.body }),
    );
    for (const s of study.scopes) {
      const state = s.state === 'given' ? t.given : s.state === 'withdrawn' ? t.withdrawn : s.participates ? t.included : t.none;
      const fieldset = el('fieldset', {}, el('legend', { textContent: t.scopes[s.scope] ?? s.scope }), el('p', { className: 'state', textContent: state }));
      const give = el('button', { type: 'button', textContent: t.give, disabled: s.state === 'given' });
      const withdraw = el('button', { type: 'button', textContent: t.withdraw, disabled: s.state === 'withdrawn' || (!s.state && !s.participates) });
      give.dataset.action = `${study.studyId}|${s.scope}|given`;
      withdraw.dataset.action = `${study.studyId}|${s.scope}|withdrawn`;
      fieldset.append(give, ' ', withdraw);
      section.append(fieldset);
    }
    list.append(section);
  }
}

async function load() {
  const res = await fetch(base, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    status(TEXT[lang].invalid);
    return;
  }
  data = await res.json();
  lang = data.language ?? 'sv';
  render();
}

async function change(studyId, scope, state) {
  const study = data.studies.find((s) => s.studyId === studyId);
  const res = await fetch(`${base}/consents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ studyId, scope, state, textVersion: study.information.version }),
  });
  if (!res.ok) {
    status(res.status === 404 ? TEXT[lang].invalid : TEXT[lang].failed);
    return;
  }
  await load();
  status(TEXT[lang].saved);
}

document.getElementById('lang').addEventListener('click', () => {
  lang = TEXT[lang].otherLang;
  render();
});
document.getElementById('studies').addEventListener('click', (e) => {
  const action = e.target instanceof HTMLElement ? e.target.dataset.action : undefined;
  if (!action) return;
  const [studyId, scope, state] = action.split('|');
  change(studyId, scope, state).catch(() => status(TEXT[lang].failed));
});
load().catch(() => status(TEXT[lang].invalid));
