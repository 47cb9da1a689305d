// The member's survey page, reached by the private link in their invitation e-mail
// (`/survey.html#token=<token>`: the token stays in the fragment, out of server logs).
// Swedish first, English on request; one fieldset per item (radio groups with a legend, number
// fields and check boxes with labels); every error names the item it is about.

const TEXT = {
  sv: {
    title: 'Enkät från följeforskningen',
    intro: (s) => `Studie: ${s.study.title} (${s.study.institution}). Tack för att du svarar! Forskarna får dina svar under en kod, aldrig ditt namn eller din e-postadress. Länken gäller till och med ${s.expiresAt.slice(0, 10)}.`,
    other: 'English',
    otherLang: 'en',
    send: 'Skicka svaren',
    sent: 'Tack! Dina svar är sparade.',
    notFound: 'Länken gäller inte. Kontrollera att du har kopierat hela länken från e-postmeddelandet.',
    gone: 'Den här enkäten tar inte emot svar längre (den är besvarad, länken har gått ut eller samtycket är återkallat).',
    failed: 'Det gick inte att skicka. Försök igen.',
    fix: 'Rätta följande och skicka igen:',
    required: 'Svara på frågan',
    range: (min, max) => `Ange ett heltal från ${min} till ${max}`,
    tooMany: 'Högst lika många som antalet personer du träffade',
    count: 'Antal',
    source: 'Källa',
  },
  en: {
    title: 'Survey from the follow-up research',
    intro: (s) => `Study: ${s.study.title} (${s.study.institution}). Thank you for answering! The researchers receive your answers under a code, never your name or e-mail address. The link works until ${s.expiresAt.slice(0, 10)}.`,
    other: 'Svenska',
    otherLang: 'sv',
    send: 'Send the answers',
    sent: 'Thank you! Your answers are saved.',
    notFound: 'This link is not valid. Check that you copied the whole link from the e-mail.',
    gone: 'This survey no longer takes answers (it was answered, the link expired, or consent was withdrawn).',
    failed: 'Could not send. Please try again.',
    fix: 'Please correct the following and send again:',
    required: 'Please answer this question',
    range: (min, max) => `Give a whole number from ${min} to ${max}`,
    tooMany: 'At most the number of people you met',
    count: 'Number',
    source: 'Source',
  },
};

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
const base = `/api/surveys/${encodeURIComponent(token)}`;
let lang = 'sv';
let survey;
/** Answers kept across a language switch: `<instrument>.<item>` → value. */
const answers = new Map();
/** Errors shown, `<instrument>.<item>` → message. */
let errors = new Map();

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};
const fieldId = (ins, item) => `q-${ins}-${item}`;

function status(message) {
  document.getElementById('status').textContent = message;
}

function showErrors() {
  const t = TEXT[lang];
  const box = document.getElementById('errors');
  box.replaceChildren();
  if (errors.size === 0) return;
  const list = el('ul');
  for (const [key, message] of errors) {
    const [ins, item] = key.split('.');
    const label = survey.instruments.find((i) => i.id === ins)?.items.find((i) => i.id === item)?.text[lang] ?? key;
    list.append(el('li', {}, el('a', { href: `#${fieldId(ins, item)}`, textContent: `${label}: ${message}` })));
  }
  box.append(el('p', { className: 'error', textContent: t.fix }), list);
}

function render() {
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  document.getElementById('title').textContent = t.title;
  const toggle = document.getElementById('lang');
  toggle.textContent = t.other;
  toggle.lang = t.otherLang;
  document.getElementById('send').textContent = t.send;
  if (!survey) return;
  document.getElementById('intro').textContent = t.intro(survey);
  const root = document.getElementById('instruments');
  root.replaceChildren();
  for (const ins of survey.instruments) {
    const section = el('section', { className: 'instrument' }, el('h2', { textContent: ins.title[lang] }), el('p', { textContent: ins.instructions[lang] }));
    for (const item of ins.items) {
      const key = `${ins.id}.${item.id}`;
      const id = fieldId(ins.id, item.id);
      const error = errors.get(key);
      const errorId = `${id}-error`;
      const fieldset = el('fieldset', { className: 'item', id }, el('legend', { textContent: item.text[lang] }));
      if (error) {
        fieldset.setAttribute('aria-invalid', 'true');
        fieldset.setAttribute('aria-describedby', errorId);
        fieldset.append(el('p', { className: 'error', id: errorId, textContent: error }));
      }
      const options = el('div', { className: 'options' });
      if (item.kind === 'scale') {
        for (const a of ins.scale.anchors) {
          const input = el('input', { type: 'radio', name: key, value: String(a.value), checked: answers.get(key) === a.value });
          input.addEventListener('change', () => answers.set(key, a.value));
          options.append(el('label', {}, input, ` ${a.value} – ${a.label[lang]}`));
        }
      } else if (item.kind === 'count') {
        const input = el('input', { type: 'number', name: key, min: String(item.min), max: String(item.max), step: '1', inputMode: 'numeric', id: `${id}-input`, value: answers.has(key) ? String(answers.get(key)) : '' });
        if (error) input.setAttribute('aria-invalid', 'true');
        input.addEventListener('input', () => (input.value === '' ? answers.delete(key) : answers.set(key, Number(input.value))));
        options.append(el('label', { htmlFor: `${id}-input`, textContent: `${t.count} (${item.min}–${item.max}) ` }), input);
      } else {
        const chosen = answers.get(key) ?? [];
        for (const o of item.options) {
          const input = el('input', { type: 'checkbox', name: key, value: o.value, checked: chosen.includes(o.value) });
          input.addEventListener('change', () => {
            const now = new Set(answers.get(key) ?? []);
            if (input.checked) now.add(o.value);
            else now.delete(o.value);
            answers.set(key, [...now]);
          });
          options.append(el('label', {}, input, ` ${o.label[lang]}`));
        }
      }
      fieldset.append(options);
      section.append(fieldset);
    }
    section.append(el('p', { className: 'citation', textContent: `${t.source}: ${ins.citation}` }));
    root.append(section);
  }
  showErrors();
}

/** Checks in the page what the server checks too: each item answered and in range. */
function check() {
  const t = TEXT[lang];
  const found = new Map();
  for (const ins of survey.instruments) {
    for (const item of ins.items) {
      const key = `${ins.id}.${item.id}`;
      const v = answers.get(key);
      if (item.kind === 'multi-select') continue; // none chosen is an answer
      const [min, max] = item.kind === 'scale' ? [ins.scale.min, ins.scale.max] : [item.min, item.max];
      if (v === undefined) found.set(key, t.required);
      else if (!Number.isInteger(v) || v < min || v > max) found.set(key, t.range(min, max));
    }
  }
  const met = answers.get('weak-ties.new-people');
  const contacted = answers.get('weak-ties.contacted-since');
  if (Number.isInteger(met) && Number.isInteger(contacted) && contacted > met) found.set('weak-ties.contacted-since', t.tooMany);
  return found;
}

function body() {
  const out = {};
  for (const ins of survey.instruments) {
    out[ins.id] = {};
    for (const item of ins.items) {
      const v = answers.get(`${ins.id}.${item.id}`);
      out[ins.id][item.id] = item.kind === 'multi-select' ? (v ?? []) : v;
    }
  }
  return { answers: out };
}

async function send() {
  const t = TEXT[lang];
  errors = check();
  if (errors.size > 0) {
    render();
    document.querySelector('#errors a')?.focus();
    return;
  }
  const res = await fetch(`${base}/answers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body()) });
  if (res.status === 201) {
    document.getElementById('survey').hidden = true;
    errors = new Map();
    showErrors();
    status(t.sent);
    return;
  }
  if (res.status === 400) {
    const json = await res.json();
    errors = new Map((json.error?.issues ?? []).map((i) => [i.path.replace(/^body\.answers\./, ''), i.message]));
    render();
    document.querySelector('#errors a')?.focus();
    return;
  }
  document.getElementById('survey').hidden = res.status === 404 || res.status === 410;
  status(res.status === 404 ? t.notFound : res.status === 410 ? t.gone : t.failed);
}

async function load() {
  const res = await fetch(base, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    status(res.status === 410 ? TEXT[lang].gone : TEXT[lang].notFound);
    render();
    return;
  }
  survey = await res.json();
  lang = survey.language ?? 'sv';
  document.getElementById('survey').hidden = false;
  render();
}

document.getElementById('lang').addEventListener('click', () => {
  lang = TEXT[lang].otherLang;
  render();
});
document.getElementById('survey').addEventListener('submit', (e) => {
  e.preventDefault();
  send().catch(() => status(TEXT[lang].failed));
});
load().catch(() => status(TEXT[lang].notFound));
