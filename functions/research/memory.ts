import type { ConsentScope } from '../../studies/schema.ts';
import type { ConsentState } from '../consent/consent.ts';
import type { ConsentStates, DayEntry, ResearchState, RowSink, StudyKeys, VisitFacts } from './project.ts';
import type { TableName } from './rows.ts';

/** {@link ResearchState} in memory (unit tests). */
export class MemoryResearchState implements ResearchState {
  readonly done = new Set<string>();
  readonly consents = new Map<string, ConsentStates>();
  readonly visits = new Map<string, VisitFacts>();
  readonly days = new Map<string, DayEntry[]>();
  readonly pairs = new Set<string>();

  async processed(eventId: string) {
    return this.done.has(eventId);
  }
  async markProcessed(eventId: string) {
    this.done.add(eventId);
  }
  async consentOf(studyId: string, person: string) {
    return this.consents.get(`${studyId}/${person}`) ?? {};
  }
  async setConsent(studyId: string, person: string, scope: ConsentScope, state: ConsentState, changedAt: string) {
    const states = this.consents.get(`${studyId}/${person}`) ?? {};
    const current = states[scope];
    if (!current || current.changedAt <= changedAt) states[scope] = { state, changedAt };
    this.consents.set(`${studyId}/${person}`, states);
  }
  async forgetPerson(studyId: string, person: string) {
    this.consents.delete(`${studyId}/${person}`);
  }
  async putVisit(visitId: string, facts: VisitFacts) {
    this.visits.set(visitId, facts);
  }
  async getVisit(visitId: string) {
    return this.visits.get(visitId);
  }
  async joinDay(studyId: string, hubId: string, date: string, entry: DayEntry) {
    const k = `${studyId}/${hubId}/${date}`;
    const list = this.days.get(k) ?? [];
    if (!list.some((e) => e.person === entry.person)) list.push(entry);
    this.days.set(k, list);
    return list.filter((e) => e.person !== entry.person);
  }
  async claimPair(studyId: string, week: string, a: string, b: string) {
    const k = `${studyId}/${week}/${a}/${b}`;
    if (this.pairs.has(k)) return false;
    this.pairs.add(k);
    return true;
  }
}

/** A {@link RowSink} that keeps rows in memory, by `<study>/<table>`. */
export class MemorySink implements RowSink {
  readonly rows = new Map<string, object[]>();
  async put(studyId: string, table: TableName, rows: object[]) {
    const k = `${studyId}/${table}`;
    this.rows.set(k, [...(this.rows.get(k) ?? []), ...rows]);
  }
  of(studyId: string, table: TableName): Record<string, unknown>[] {
    return (this.rows.get(`${studyId}/${table}`) ?? []) as Record<string, unknown>[];
  }
}

/** Fixed keys per study (unit tests). */
export const fixedKeys = (keys: Record<string, string>): StudyKeys => ({
  keyFor: async (studyId) => {
    const k = keys[studyId];
    if (!k) throw new Error(`No key for study ${studyId}`);
    return Buffer.from(k);
  },
});
