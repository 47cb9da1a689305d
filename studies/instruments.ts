/**
 * Survey instruments as data: items, scales with anchors, Swedish and English wording, licence
 * and citation. Validated by {@link Instrument} when loaded (`npm run studies:check` checks them
 * and that every study may use the instruments it names). docs/research.md, "Survey instruments".
 *
 * The Swedish wording of every instrument is the project's own translation (`translation.sv`),
 * not a validated one: a study that needs comparability with published Swedish norms should
 * replace it with the validated translation it holds.
 */
import * as z from 'zod';
import { SurveyInstruments, type StudyConfig, type SurveyInstrument } from './schema.ts';

const Text = z.object({ sv: z.string().min(1).max(400), en: z.string().min(1).max(400) }).strict();
const ItemId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'Use 1–40 lower-case letters, digits or hyphens');

/** One anchor of a rating scale: its value and label. */
const Anchor = z.object({ value: z.number().int(), label: Text }).strict();

/** A rating scale: integer values `min`…`max`, each with a labelled anchor. */
export const Scale = z
  .object({ min: z.number().int(), max: z.number().int(), anchors: z.array(Anchor).min(2) })
  .strict()
  .superRefine((s, ctx) => {
    if (s.max <= s.min) ctx.addIssue({ code: 'custom', path: ['max'], message: '"max" must be above "min"' });
    const values = s.anchors.map((a) => a.value);
    for (let v = s.min; v <= s.max; v++) if (!values.includes(v)) ctx.addIssue({ code: 'custom', path: ['anchors'], message: `No anchor for ${v}` });
    values.forEach((v, i) => {
      if (v < s.min || v > s.max) ctx.addIssue({ code: 'custom', path: ['anchors', i, 'value'], message: `Outside ${s.min}–${s.max}` });
    });
  });
export type Scale = z.infer<typeof Scale>;

/** One item: a rating on the instrument's scale, a count, or a choice of several options. */
export const Item = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scale'), id: ItemId, text: Text, reversed: z.boolean().default(false) }).strict(),
  z.object({ kind: z.literal('count'), id: ItemId, text: Text, min: z.number().int().min(0), max: z.number().int().positive() }).strict(),
  z
    .object({
      kind: z.literal('multi-select'),
      id: ItemId,
      text: Text,
      options: z.array(z.object({ value: ItemId, label: Text }).strict()).min(2),
    })
    .strict(),
]);
export type Item = z.infer<typeof Item>;

/**
 * Licence of an instrument. `free`: free to use, with the citation; `licensed`: a study must
 * declare in its `licences` that it holds the licence named in `licence.name`.
 */
const Licence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('free'), terms: z.string().min(4).max(600) }).strict(),
  z.object({ kind: z.literal('licensed'), name: z.string().min(2).max(200), terms: z.string().min(4).max(600) }).strict(),
]);

/** A survey instrument. */
export const Instrument = z
  .object({
    id: z.enum(SurveyInstruments),
    title: Text,
    /** The lead-in shown above the items (e.g. the time frame). */
    instructions: Text,
    /** The scale of the `scale` items; required when there are any. */
    scale: Scale.optional(),
    items: z.array(Item).min(1),
    citation: z.string().min(10).max(800),
    /** Whether the wording departs from the published instrument (e.g. "team" → "this hub"). */
    adapted: z.string().min(10).max(600).optional(),
    /** Who translated each language: `original`, `project` (our own, not validated) or a source. */
    translation: z.object({ sv: z.string().min(3).max(300), en: z.string().min(3).max(300) }).strict(),
    licence: Licence,
    /** How a score is formed, for the codebook (e.g. "sum × 4, 0–100"). */
    scoring: z.string().min(4).max(400).optional(),
  })
  .strict()
  .superRefine((ins, ctx) => {
    const seen = new Set<string>();
    ins.items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `Duplicate item "${item.id}"` });
      seen.add(item.id);
      if (item.kind === 'scale' && !ins.scale) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'An instrument with scale items needs a scale' });
    });
  });
export type Instrument = z.infer<typeof Instrument>;
export type InstrumentInput = z.input<typeof Instrument>;

const PROJECT_SV = 'Projektets egen översättning (project translation, not validated)';

/** The organisation types of DESIGN.md, as options of the weak-ties item. */
const ORGANISATION_TYPES: { value: string; label: { sv: string; en: string } }[] = [
  { value: 'state-agency', label: { sv: 'Statlig myndighet', en: 'State agency' } },
  { value: 'municipality', label: { sv: 'Kommun', en: 'Municipality' } },
  { value: 'region', label: { sv: 'Region', en: 'Region' } },
  { value: 'county-board', label: { sv: 'Länsstyrelse', en: 'County administrative board' } },
  { value: 'public-company', label: { sv: 'Offentligt ägt bolag', en: 'Publicly owned company' } },
  { value: 'university', label: { sv: 'Universitet eller högskola', en: 'University or university college' } },
  { value: 'business', label: { sv: 'Företag (näringsliv)', en: 'Business' } },
  { value: 'other', label: { sv: 'Annan organisation', en: 'Other organisation' } },
];

const agree5 = (sv: string[], en: string[]) => sv.map((s, i) => ({ value: i + 1, label: { sv: s, en: en[i] as string } }));

/** The instruments as written; {@link INSTRUMENTS} is them validated. */
export const INSTRUMENT_DATA: InstrumentInput[] = [
  {
    id: 'who-5',
    title: { sv: 'Välbefinnande (WHO-5)', en: 'Wellbeing (WHO-5)' },
    instructions: {
      sv: 'Markera för vart och ett av de fem påståendena det svar som bäst beskriver hur du har känt dig under de senaste två veckorna.',
      en: 'For each of the five statements, mark the answer that is closest to how you have been feeling over the last two weeks.',
    },
    scale: {
      min: 0,
      max: 5,
      anchors: [
        { value: 0, label: { sv: 'Aldrig', en: 'At no time' } },
        { value: 1, label: { sv: 'Någon gång', en: 'Some of the time' } },
        { value: 2, label: { sv: 'Mindre än halva tiden', en: 'Less than half of the time' } },
        { value: 3, label: { sv: 'Mer än halva tiden', en: 'More than half of the time' } },
        { value: 4, label: { sv: 'För det mesta', en: 'Most of the time' } },
        { value: 5, label: { sv: 'Hela tiden', en: 'All of the time' } },
      ],
    },
    items: [
      { kind: 'scale', id: 'cheerful', text: { sv: 'Jag har känt mig glad och på gott humör', en: 'I have felt cheerful and in good spirits' } },
      { kind: 'scale', id: 'calm', text: { sv: 'Jag har känt mig lugn och avslappnad', en: 'I have felt calm and relaxed' } },
      { kind: 'scale', id: 'active', text: { sv: 'Jag har känt mig aktiv och full av energi', en: 'I have felt active and vigorous' } },
      { kind: 'scale', id: 'rested', text: { sv: 'Jag har vaknat utvilad och pigg', en: 'I woke up feeling fresh and rested' } },
      { kind: 'scale', id: 'interest', text: { sv: 'Min vardag har varit fylld av sådant som intresserar mig', en: 'My daily life has been filled with things that interest me' } },
    ],
    citation:
      'World Health Organization (1998). Wellbeing Measures in Primary Health Care: The DepCare Project. WHO Regional Office for Europe, Copenhagen. See also Topp, C. W., Østergaard, S. D., Søndergaard, S., & Bech, P. (2015). The WHO-5 Well-Being Index: a systematic review of the literature. Psychotherapy and Psychosomatics, 84(3), 167–176.',
    translation: { sv: `${PROJECT_SV}; a validated Swedish version exists and should replace it where norms matter`, en: 'original (WHO 1998)' },
    licence: { kind: 'free', terms: 'Free to use without permission; cite WHO (1998). The wording must not be changed (it is not).' },
    scoring: 'Raw score = sum of the five items (0–25); percentage score = raw × 4 (0–100); ≤ 50 suggests poor wellbeing.',
  },
  {
    id: 'psychological-safety-hub',
    title: { sv: 'Psykologisk trygghet i hubben', en: 'Psychological safety at this hub' },
    instructions: {
      sv: 'Hur väl stämmer följande påståenden om människorna du möter i den här hubben?',
      en: 'How accurately do the following statements describe the people you meet at this hub?',
    },
    scale: {
      min: 1,
      max: 7,
      anchors: [
        { value: 1, label: { sv: 'Stämmer inte alls', en: 'Very inaccurate' } },
        { value: 2, label: { sv: 'Stämmer inte', en: 'Inaccurate' } },
        { value: 3, label: { sv: 'Stämmer ganska dåligt', en: 'Somewhat inaccurate' } },
        { value: 4, label: { sv: 'Varken eller', en: 'Neither accurate nor inaccurate' } },
        { value: 5, label: { sv: 'Stämmer ganska bra', en: 'Somewhat accurate' } },
        { value: 6, label: { sv: 'Stämmer', en: 'Accurate' } },
        { value: 7, label: { sv: 'Stämmer helt', en: 'Very accurate' } },
      ],
    },
    items: [
      { kind: 'scale', id: 'mistake-held-against', reversed: true, text: { sv: 'Om man gör ett misstag i den här hubben hålls det ofta emot en', en: 'If you make a mistake at this hub, it is often held against you' } },
      { kind: 'scale', id: 'raise-problems', text: { sv: 'Människorna i den här hubben kan ta upp problem och svåra frågor', en: 'People at this hub are able to bring up problems and tough issues' } },
      { kind: 'scale', id: 'reject-different', reversed: true, text: { sv: 'Människor i den här hubben avvisar ibland andra för att de är annorlunda', en: 'People at this hub sometimes reject others for being different' } },
      { kind: 'scale', id: 'safe-risk', text: { sv: 'Det är tryggt att ta en risk i den här hubben', en: 'It is safe to take a risk at this hub' } },
      { kind: 'scale', id: 'hard-to-ask-help', reversed: true, text: { sv: 'Det är svårt att be andra i den här hubben om hjälp', en: 'It is difficult to ask other people at this hub for help' } },
      { kind: 'scale', id: 'no-undermining', text: { sv: 'Ingen i den här hubben skulle medvetet göra något som motarbetar mina ansträngningar', en: 'No one at this hub would deliberately act in a way that undermines my efforts' } },
      { kind: 'scale', id: 'skills-valued', text: { sv: 'När jag arbetar med människor i den här hubben värdesätts och tas mina unika färdigheter och talanger till vara', en: 'Working with people at this hub, my unique skills and talents are valued and utilized' } },
    ],
    citation: 'Edmondson, A. (1999). Psychological safety and learning behavior in work teams. Administrative Science Quarterly, 44(2), 350–383. https://doi.org/10.2307/2666999',
    adapted: 'Adapted by the project: "this team" / "members of this team" became "this hub" / "people at this hub"; the referent is the hub community, not a work team, so scores are not comparable with team norms.',
    translation: { sv: PROJECT_SV, en: 'original wording (Edmondson 1999), adapted to "this hub"' },
    licence: { kind: 'free', terms: 'Published in a scholarly journal; used in research with citation. No licence is sold for it; cite Edmondson (1999) and mark the adaptation.' },
    scoring: 'Mean of the seven items after reversing items 1, 3 and 5 (8 − value), 1–7.',
  },
  {
    id: 'brief-sense-of-community',
    title: { sv: 'Gemenskap i hubben (Brief Sense of Community Scale)', en: 'Sense of community at this hub (Brief Sense of Community Scale)' },
    instructions: {
      sv: 'Hur mycket instämmer du i följande påståenden om den här hubben?',
      en: 'How much do you agree with the following statements about this hub?',
    },
    scale: {
      min: 1,
      max: 5,
      anchors: agree5(
        ['Instämmer inte alls', 'Instämmer inte', 'Varken eller', 'Instämmer', 'Instämmer helt'],
        ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'],
      ),
    },
    items: [
      { kind: 'scale', id: 'get-what-i-need', text: { sv: 'Jag kan få det jag behöver i den här hubben', en: 'I can get what I need at this hub' } },
      { kind: 'scale', id: 'fulfil-needs', text: { sv: 'Den här hubben hjälper mig att få mina behov tillgodosedda', en: 'This hub helps me fulfill my needs' } },
      { kind: 'scale', id: 'feel-member', text: { sv: 'Jag känner mig som en medlem i den här hubben', en: 'I feel like a member of this hub' } },
      { kind: 'scale', id: 'belong', text: { sv: 'Jag hör hemma i den här hubben', en: 'I belong at this hub' } },
      { kind: 'scale', id: 'have-a-say', text: { sv: 'Jag har något att säga till om när det gäller vad som händer i den här hubben', en: 'I have a say about what goes on at this hub' } },
      { kind: 'scale', id: 'influence-each-other', text: { sv: 'Människorna i den här hubben är bra på att påverka varandra', en: 'People at this hub are good at influencing each other' } },
      { kind: 'scale', id: 'feel-connected', text: { sv: 'Jag känner samhörighet med den här hubben', en: 'I feel connected to this hub' } },
      { kind: 'scale', id: 'good-bond', text: { sv: 'Jag har ett gott band till andra i den här hubben', en: 'I have a good bond with others at this hub' } },
    ],
    citation:
      'Peterson, N. A., Speer, P. W., & McMillan, D. W. (2008). Validation of a brief sense of community scale: Confirmation of the principal theory of sense of community. Journal of Community Psychology, 36(1), 61–73. https://doi.org/10.1002/jcop.20217',
    adapted: 'Adapted by the project: "this neighborhood" became "this hub". Subscales: needs fulfilment (items 1–2), membership (3–4), influence (5–6), emotional connection (7–8).',
    translation: { sv: PROJECT_SV, en: 'original wording (Peterson, Speer & McMillan 2008), adapted to "this hub"' },
    licence: { kind: 'free', terms: 'Published in a scholarly journal and used in research with citation; no licence is sold for it. Cite Peterson, Speer & McMillan (2008) and mark the adaptation.' },
    scoring: 'Sum of the eight items (8–40) or the mean; subscales as pairs of items.',
  },
  {
    id: 'weak-ties',
    title: { sv: 'Nya kontakter i hubben', en: 'New contacts at this hub' },
    instructions: {
      sv: 'Tänk på de senaste tre månaderna. Ange ungefärliga antal; 0 är ett fullgott svar.',
      en: 'Think of the last three months. Give approximate numbers; 0 is a perfectly good answer.',
    },
    items: [
      {
        kind: 'count',
        id: 'new-people',
        min: 0,
        max: 200,
        text: {
          sv: 'Hur många personer från andra organisationer än din egen har du träffat för första gången här i hubben under de senaste tre månaderna?',
          en: 'How many people from organisations other than your own did you meet here at the hub for the first time in the last three months?',
        },
      },
      {
        kind: 'count',
        id: 'contacted-since',
        min: 0,
        max: 200,
        text: {
          sv: 'Hur många av dem har du haft kontakt med sedan dess (e-post, telefon, möte)?',
          en: 'How many of them have you been in contact with since (e-mail, phone, meeting)?',
        },
      },
      {
        kind: 'multi-select',
        id: 'their-organisation-types',
        text: { sv: 'Vilka slags organisationer kom de från? Välj alla som passar.', en: 'What kinds of organisations were they from? Choose all that apply.' },
        options: ORGANISATION_TYPES,
      },
    ],
    citation:
      "The project's own items (samverkan, 2026), after Granovetter, M. S. (1973). The strength of weak ties. American Journal of Sociology, 78(6), 1360–1380, and the pre-study's question of meetings across organisations (Förstudie samverkanshubb i Norr, 2022).",
    translation: { sv: 'original (the project)', en: 'project translation' },
    licence: { kind: 'free', terms: "The project's own items, free to use." },
    scoring: '"contacted-since" must not exceed "new-people"; organisation types one row per type chosen.',
  },
];

/** Validates the instrument data; throws naming the instrument and field of every problem. */
export function parseInstruments(data: unknown[]): Instrument[] {
  const problems: string[] = [];
  const out: Instrument[] = [];
  data.forEach((raw, i) => {
    const r = Instrument.safeParse(raw);
    if (r.success) out.push(r.data);
    else for (const issue of r.error.issues) problems.push(`instruments[${i}]${(raw as { id?: string })?.id ? ` (${(raw as { id: string }).id})` : ''}.${issue.path.join('.')}: ${issue.message}`);
  });
  const ids = new Set(out.map((x) => x.id));
  for (const id of SurveyInstruments) if (!ids.has(id)) problems.push(`instruments: "${id}" is a known instrument id but has no definition`);
  if (problems.length) throw new Error(`Invalid survey instruments\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return out;
}

/** Every survey instrument, validated. */
export const INSTRUMENTS: readonly Instrument[] = parseInstruments(INSTRUMENT_DATA);

/** One instrument by id. */
export function instrument(id: SurveyInstrument, all: readonly Instrument[] = INSTRUMENTS): Instrument {
  const found = all.find((i) => i.id === id);
  if (!found) throw new Error(`No survey instrument "${id}"`);
  return found;
}

/**
 * Problems with a study's use of instruments: a licensed instrument is refused unless the study
 * declares in `licences` the licence it names. Empty when the study may use all it names.
 */
export function instrumentProblems(study: Pick<StudyConfig, 'surveyInstruments' | 'licences'>, all: readonly Instrument[] = INSTRUMENTS): string[] {
  const problems: string[] = [];
  study.surveyInstruments.forEach((id, i) => {
    const ins = all.find((x) => x.id === id);
    if (!ins) problems.push(`surveyInstruments[${i}]: no instrument "${id}"`);
    else if (ins.licence.kind === 'licensed' && !study.licences.includes(ins.licence.name)) {
      problems.push(`surveyInstruments[${i}]: "${id}" is licensed: add "${ins.licence.name}" to "licences" only when the study holds that licence`);
    }
  });
  return problems;
}
