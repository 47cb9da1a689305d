import * as z from 'zod';
import { HubId } from '../hubs/schema.ts';

/** Study ids are lower-case ASCII slugs: they appear in URLs, S3 prefixes, Glue and Athena names. */
export const StudyId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,33}$/, 'Use 2–34 lower-case letters a–z, digits or hyphens, starting with a letter (e.g. "samverket-foljeforskning")');
export type StudyId = z.infer<typeof StudyId>;

const IsoDate = z.iso.date({ message: 'Use an ISO date, YYYY-MM-DD' });

/**
 * What a member can consent to, per study. `usage`: visits, bookings and event participation
 * as rows; `surveys`: invitations to and answers of the study's survey instruments;
 * `co-presence`: weekly pairs of members in the same hub; `recontact`: the research team may
 * ask the member again (e.g. for an interview) through the hub.
 */
export const ConsentScopes = ['usage', 'surveys', 'co-presence', 'recontact'] as const;
export const ConsentScope = z.enum(ConsentScopes);
export type ConsentScope = z.infer<typeof ConsentScope>;

/**
 * The legal basis of a study. `consent`: only members who said yes appear (GDPR art. 6.1 a).
 * `public-interest-opt-out`: research in the public interest (art. 6.1 e with art. 89); usage
 * rows include every member of the study's hubs unless they opted out. Surveys always need
 * consent, whatever the basis (docs/research.md, "Who appears in a study").
 */
export const LegalBasis = z.enum(['consent', 'public-interest-opt-out']);
export type LegalBasis = z.infer<typeof LegalBasis>;

/** The datasets (tables) a study may receive. */
export const Datasets = ['visits', 'bookings', 'event-participation', 'co-presence', 'consents', 'survey-answers', 'survey-invitations'] as const;
export const Dataset = z.enum(Datasets);
export type Dataset = z.infer<typeof Dataset>;

/** Survey instruments a study may use (defined as data by the surveys capability). */
export const SurveyInstruments = ['who-5', 'psychological-safety-hub', 'brief-sense-of-community', 'weak-ties'] as const;
export const SurveyInstrument = z.enum(SurveyInstruments);
export type SurveyInstrument = z.infer<typeof SurveyInstrument>;

/** How long a study's rows are kept: until a date, or a number of months after the study ends. */
export const Retention = z.union([
  z.object({ until: IsoDate }).strict(),
  z.object({ monthsAfterEnd: z.number().int().min(0).max(240) }).strict(),
]);
export type Retention = z.infer<typeof Retention>;

const InformationText = z.object({
  /** One-line heading of the information page. */
  heading: z.string().min(2).max(160),
  /** The information text, paragraphs separated by blank lines (plain text, no HTML). */
  body: z.string().min(40).max(8000),
});

/**
 * The information a member reads before consenting, in Swedish and English. `version` changes
 * whenever the text changes in substance; the version a member saw is stored with their consent.
 */
export const StudyInformation = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'Use a short version label such as "2026-01" or "v2"'),
    sv: InformationText.strict(),
    en: InformationText.strict(),
  })
  .strict();

/** The configuration of one study, one file per study in `studies/<id>.json`. */
export const StudyConfig = z
  .object({
    $schema: z.string().optional(),
    id: StudyId,
    title: z.string().min(4).max(200),
    principalInvestigator: z.object({ name: z.string().min(2).max(120), email: z.email() }).strict(),
    institution: z.string().min(2).max(200),
    /** The Swedish Ethical Review Authority's reference (Etikprövningsmyndigheten, Dnr YYYY-NNNNN-NN). */
    ethicsApproval: z.string().regex(/^\d{4}-\d{5}(-\d{2})?$/, 'Use the Etikprövningsmyndigheten reference, e.g. "2026-01234-01"'),
    legalBasis: LegalBasis,
    start: IsoDate,
    end: IsoDate,
    retention: Retention,
    /** The hubs the study follows; all hubs when left out. */
    hubs: z.array(HubId).min(1).optional(),
    datasets: z.array(Dataset).min(1),
    surveyInstruments: z.array(SurveyInstrument).default([]),
    /** Licensed instruments the study holds a licence for (none of the shipped ones needs one today). */
    licences: z.array(z.string().min(2).max(200)).default([]),
    /** A member is invited to a survey at most once per this many days. */
    invitationRateLimitDays: z.number().int().min(1).max(365).default(30),
    /** The share of eligible visits/events that lead to an invitation (0–1). */
    samplingShare: z.number().min(0).max(1).default(1),
    information: StudyInformation,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.end < s.start) ctx.addIssue({ code: 'custom', path: ['end'], message: '"end" must not be before "start"' });
    if ('until' in s.retention && s.retention.until < s.end) {
      ctx.addIssue({ code: 'custom', path: ['retention', 'until'], message: 'Retention must not end before the study ends' });
    }
    for (const [what, list] of [
      ['datasets', s.datasets],
      ['surveyInstruments', s.surveyInstruments],
      ['hubs', s.hubs ?? []],
    ] as const) {
      const seen = new Set<string>();
      list.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [what, i], message: `Duplicate "${v}"` });
        seen.add(v);
      });
    }
    const surveys = s.datasets.includes('survey-answers');
    if (surveys && s.surveyInstruments.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['surveyInstruments'], message: 'A study with the "survey-answers" dataset names at least one instrument' });
    }
    if (!surveys && s.surveyInstruments.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['datasets'], message: 'Survey instruments need the "survey-answers" dataset' });
    }
    if (!surveys && s.datasets.includes('survey-invitations')) {
      ctx.addIssue({ code: 'custom', path: ['datasets'], message: 'The "survey-invitations" dataset needs the "survey-answers" dataset (invitations are sent for its surveys)' });
    }
  });

/** A validated study configuration. */
export type StudyConfig = z.infer<typeof StudyConfig>;
/** The study configuration as written in the file, before defaults apply. */
export type StudyConfigInput = z.input<typeof StudyConfig>;

/** The last day (inclusive, YYYY-MM-DD) a study's rows may be kept. */
export function retentionEnds(study: Pick<StudyConfig, 'end' | 'retention'>): string {
  if ('until' in study.retention) return study.retention.until;
  const [y, m, d] = study.end.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + study.retention.monthsAfterEnd, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** Whether a study collects rows on a date (YYYY-MM-DD): between its start and end, inclusive. */
export function isActive(study: Pick<StudyConfig, 'start' | 'end'>, date: string): boolean {
  return study.start <= date && date <= study.end;
}

/** Whether a study follows a hub (all hubs when it names none). */
export function followsHub(study: Pick<StudyConfig, 'hubs'>, hubId: string): boolean {
  return study.hubs === undefined || study.hubs.includes(hubId);
}
