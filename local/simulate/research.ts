/**
 * The research part of `npm run simulate`: after each simulated day, some of the day's new
 * members consent at the desk (usage, co-presence, surveys) to the studies following their hub,
 * and members who consented read their survey invitations in the local mail outbox and answer
 * them on the page's API, as a real member would. Everything goes through the real local API.
 *
 * Deterministic with the seed: who consents, who answers and what they answer are drawn from the
 * seed and the person (and the how-many-th invitation of theirs it is). Which visits lead to an
 * invitation is the runtime's sampling (per study, member and visit id), so it differs between
 * runs when the visit ids do. Invitations are only sent for visits whose link would still be
 * open today (docs/research.md, "Surveys"): after a simulation ending yesterday, about the last
 * two weeks bring invitations.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { zonedInstant } from '../../functions/domain/time.ts';
import { rng, type PersonSpec } from './plan.ts';

/** What the research simulation did. */
export interface ResearchTally {
  consents: number;
  invitations: number;
  answers: number;
  refused: Record<string, number>;
}

/** One hub's state in the run: its people, the ids the API gave them, a staff token. */
export interface ResearchLane {
  hubId: string;
  people: PersonSpec[];
  ids: Map<string, string>;
  token: string;
}

/** The runtime client of `run.ts`. */
export type Call = (method: string, path: string, o?: { token?: string; body?: unknown; at?: string }) => Promise<{ status: number; json: Record<string, unknown> }>;

/** Shares of members who consent to each scope (drawn independently per person). */
export const CONSENT_SHARES = { usage: 0.6, 'co-presence': 0.4, surveys: 0.45 } as const;
/** Share of invitations a consenting member answers. */
export const ANSWER_SHARE = 0.8;

const hash32 = (text: string) => createHash('sha256').update(text).digest().readUInt32BE(0);

interface SurveyItem {
  kind: 'scale' | 'count' | 'multi-select';
  id: string;
  min?: number;
  max?: number;
  options?: { value: string }[];
}
interface Survey {
  instruments: { id: string; scale?: { min: number; max: number }; items: SurveyItem[] }[];
}

/**
 * Answers drawn for a person: a personal leaning (some people are better off, some feel more at
 * home in the hub) plus noise, on each item's scale; counts small, contacts at most the people met.
 */
export function drawAnswers(survey: Survey, random: () => number): Record<string, Record<string, number | string[]>> {
  const leaning = random();
  const out: Record<string, Record<string, number | string[]>> = {};
  for (const ins of survey.instruments) {
    const answers: Record<string, number | string[]> = {};
    for (const item of ins.items) {
      if (item.kind === 'scale' && ins.scale) {
        const span = ins.scale.max - ins.scale.min;
        const v = Math.round(ins.scale.min + span * Math.min(1, Math.max(0, 0.25 + 0.5 * leaning + (random() - 0.5) * 0.5)));
        answers[item.id] = v;
      } else if (item.kind === 'count') {
        answers[item.id] = Math.floor(random() * 5);
      } else if (item.kind === 'multi-select') {
        answers[item.id] = (item.options ?? []).filter(() => random() < 0.25).map((o) => o.value);
      }
    }
    if (ins.id === 'weak-ties') {
      const met = Number(answers['new-people'] ?? 0);
      answers['contacted-since'] = Math.min(met, Number(answers['contacted-since'] ?? 0));
      if (met === 0) answers['their-organisation-types'] = [];
    }
    out[ins.id] = answers;
  }
  return out;
}

/** The research simulation of one run; `afterDay` is its hook into `runPlan`. */
export function researchSimulation(o: { seed: number; mailDir: string; hubs: { id: string; timezone: string }[] }) {
  const zone = (hubId: string) => o.hubs.find((h) => h.id === hubId)?.timezone ?? 'Europe/Stockholm';
  const tally: ResearchTally = { consents: 0, invitations: 0, answers: 0, refused: {} };
  const consented = new Set<string>();
  const invitationsOf = new Map<string, number>();
  // Mails already in the outbox before this run are not ours to answer.
  const seen = new Set(existsSync(o.mailDir) ? readdirSync(o.mailDir) : []);
  const refuse = (what: string, status: number) => {
    tally.refused[`${what} ${status}`] = (tally.refused[`${what} ${status}`] ?? 0) + 1;
  };

  async function consentNewMembers(day: string, lane: ResearchLane, call: Call): Promise<number> {
    let sent = 0;
    const at = zonedInstant(day, '17:30', zone(lane.hubId)).toISOString();
    for (const p of lane.people) {
      const memberId = lane.ids.get(p.key);
      if (!memberId || p.membership === 'guest' || consented.has(p.key)) continue;
      consented.add(p.key);
      const random = rng(o.seed ^ hash32(`consent:${p.key}`));
      const scopes = (Object.keys(CONSENT_SHARES) as (keyof typeof CONSENT_SHARES)[]).filter((s) => random() < CONSENT_SHARES[s]);
      if (scopes.length === 0) continue;
      // At the desk: staff show the studies' information text (its version is what is sent).
      const base = `/api/hubs/${lane.hubId}/members/${memberId}/consents`;
      const list = await call('GET', base, { token: lane.token, at });
      if (list.status !== 200) {
        refuse('consents', list.status);
        continue;
      }
      for (const study of list.json.studies as { studyId: string; information: { version: string }; scopes: { scope: string }[] }[]) {
        for (const scope of scopes.filter((s) => study.scopes.some((x) => x.scope === s))) {
          const res = await call('POST', base, { token: lane.token, at, body: { studyId: study.studyId, scope, state: 'given', textVersion: study.information.version } });
          sent++;
          if (res.status < 300) tally.consents++;
          else refuse('consent', res.status);
        }
      }
    }
    return sent;
  }

  async function answerInvitations(day: string, lanes: ResearchLane[], call: Call): Promise<number> {
    if (!existsSync(o.mailDir)) return 0;
    const byEmail = new Map(lanes.flatMap((l) => l.people.map((p) => [p.email.toLowerCase(), { person: p, lane: l }] as const)));
    let sent = 0;
    for (const file of readdirSync(o.mailDir).sort()) {
      if (seen.has(file)) continue;
      seen.add(file);
      const mail = await simpleParser(readFileSync(join(o.mailDir, file)));
      const to = (Array.isArray(mail.to) ? mail.to[0]?.value[0]?.address : mail.to?.value[0]?.address)?.toLowerCase();
      const token = /\/survey\.html#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
      const who = to ? byEmail.get(to) : undefined;
      if (!token || !who) continue;
      tally.invitations++;
      const n = (invitationsOf.get(who.person.key) ?? 0) + 1;
      invitationsOf.set(who.person.key, n);
      const random = rng(o.seed ^ hash32(`answer:${who.person.key}:${n}`));
      if (random() >= ANSWER_SHARE) continue;
      // The member opens the link in the evening: the page reads the survey, then sends the answers.
      const at = zonedInstant(day, '20:00', zone(who.lane.hubId)).toISOString();
      const survey = await call('GET', `/api/surveys/${token}`, { at });
      sent++;
      if (survey.status !== 200) {
        refuse('survey', survey.status);
        continue;
      }
      const res = await call('POST', `/api/surveys/${token}/answers`, { at, body: { answers: drawAnswers(survey.json as unknown as Survey, random) } });
      sent++;
      if (res.status === 201) tally.answers++;
      else refuse('answer', res.status);
    }
    return sent;
  }

  return {
    tally,
    /** After a day's requests were delivered: consents of new members, answers to new invitations; the number of requests sent. */
    async afterDay(day: string, lanes: ResearchLane[], call: Call): Promise<number> {
      let sent = 0;
      for (const lane of lanes) sent += await consentNewMembers(day, lane, call);
      sent += await answerInvitations(day, lanes, call);
      return sent;
    },
  };
}
