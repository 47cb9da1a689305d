import { randomUUID } from 'node:crypto';
import type { HubConfig } from '../../hubs/schema.ts';
import { P, factOps, replaceVisitor, type DayFacts, type FactOp, type PresenceFact } from './facts.ts';

/** What a projection offers the report builder: facts per hub-day and presence schedules per hub. */
export interface FactSource {
  /** The facts of one hub's days between two dates (inclusive), by date. */
  hubDays(hubId: string, from: string, to: string): Promise<Map<string, DayFacts>>;
  /** The agency presence schedules of a hub. */
  presences(hubId: string): Promise<PresenceFact[]>;
  /** The facts of a hub's events (published, cancelled, or only registrations known yet), by event id. */
  hubEvents(hubId: string): Promise<Map<string, DayFacts>>;
}

/**
 * The national projection in memory: the same fact operations as the DynamoDB store, for
 * tests and for `npm run reporting:rebuild`. Idempotent on eventId and independent of order.
 */
export class MemoryProjection implements FactSource {
  readonly days = new Map<string, DayFacts>();
  private readonly processed = new Set<string>();
  private readonly orgFirst = new Map<string, { date: string; hubId: string }>();
  private readonly visitorFirst = new Map<string, string>();
  private readonly visitorDays = new Map<string, Set<string>>();
  private readonly erased = new Map<string, string>();
  private readonly presence = new Map<string, Map<string, PresenceFact>>();
  /** Facts of hub events, by `hubId#eventId`. */
  readonly events = new Map<string, DayFacts>();
  private readonly hubs: ReadonlyMap<string, HubConfig>;

  constructor(hubs: HubConfig[], private readonly token: () => string = () => `x${randomUUID().replaceAll('-', '').slice(0, 20)}`) {
    this.hubs = new Map(hubs.map((h) => [h.id, h]));
  }

  /** Applies one event; false when its eventId was seen already. */
  apply(detailType: string, detail: { metadata: { eventId: string } }): boolean {
    if (this.processed.has(detail.metadata.eventId)) return false;
    for (const op of factOps(detailType, detail, this.hubs)) this.applyOp(op);
    this.processed.add(detail.metadata.eventId);
    return true;
  }

  private day(hubId: string, date: string): DayFacts {
    const key = `${hubId}#${date}`;
    let facts = this.days.get(key);
    if (!facts) {
      facts = {};
      this.days.set(key, facts);
    }
    return facts;
  }

  private applyOp(op: FactOp): void {
    switch (op.op) {
      case 'set': {
        const v = op.visitor && this.erased.get(op.visitor);
        this.day(op.hubId, op.date)[op.attr] = v ? { ...(op.value as object), v } : op.value;
        if (op.visitor && !v) {
          const days = this.visitorDays.get(op.visitor) ?? new Set();
          days.add(`${op.hubId}#${op.date}`);
          this.visitorDays.set(op.visitor, days);
        }
        return;
      }
      case 'orgFirst': {
        const prev = this.orgFirst.get(op.orgId);
        if (prev && `${prev.date}#${prev.hubId}` <= `${op.date}#${op.hubId}`) return;
        if (prev) delete this.day(prev.hubId, prev.date)[`${P.firstOrg}${op.orgId}`];
        this.orgFirst.set(op.orgId, { date: op.date, hubId: op.hubId });
        this.day(op.hubId, op.date)[`${P.firstOrg}${op.orgId}`] = true;
        return;
      }
      case 'visitorFirst': {
        const visitor = this.erased.get(op.visitor) ?? op.visitor;
        const key = `${op.hubId}#${visitor}`;
        const prev = this.visitorFirst.get(key);
        if (prev && prev <= op.date) return;
        if (prev) delete this.day(op.hubId, prev)[`${P.firstVisitor}${visitor}`];
        this.visitorFirst.set(key, op.date);
        this.day(op.hubId, op.date)[`${P.firstVisitor}${visitor}`] = true;
        return;
      }
      case 'event': {
        const key = `${op.hubId}#${op.eventId}`;
        const facts = this.events.get(key) ?? {};
        facts[op.attr] = op.value;
        this.events.set(key, facts);
        return;
      }
      case 'presence': {
        const list = this.presence.get(op.hubId) ?? new Map();
        list.set(op.presenceId, op.value);
        this.presence.set(op.hubId, list);
        return;
      }
      case 'erase': {
        if (this.erased.has(op.visitor)) return;
        const token = this.token();
        this.erased.set(op.visitor, token);
        for (const key of this.visitorDays.get(op.visitor) ?? []) {
          const facts = this.days.get(key);
          if (!facts) continue;
          Object.assign(facts, replaceVisitor(facts, op.visitor, token));
          if (facts[`${P.firstVisitor}${op.visitor}`]) {
            delete facts[`${P.firstVisitor}${op.visitor}`];
            facts[`${P.firstVisitor}${token}`] = true;
          }
        }
        for (const [key, date] of [...this.visitorFirst]) {
          const [hubId, visitor] = key.split('#');
          if (visitor !== op.visitor) continue;
          this.visitorFirst.delete(key);
          this.visitorFirst.set(`${hubId}#${token}`, date);
        }
        this.visitorDays.delete(op.visitor);
        return;
      }
    }
  }

  /** Whether any fact anywhere still names this visitor pseudonym (for erasure tests). */
  mentions(visitor: string): boolean {
    return JSON.stringify([...this.days.values()]).includes(visitor) || [...this.visitorFirst.keys()].some((k) => k.endsWith(`#${visitor}`)) || this.visitorDays.has(visitor);
  }

  async hubDays(hubId: string, from: string, to: string): Promise<Map<string, DayFacts>> {
    const out = new Map<string, DayFacts>();
    for (const [key, facts] of this.days) {
      const [h, date = ''] = key.split('#');
      if (h === hubId && date >= from && date <= to) out.set(date, facts);
    }
    return out;
  }

  async hubEvents(hubId: string): Promise<Map<string, DayFacts>> {
    const out = new Map<string, DayFacts>();
    for (const [key, facts] of this.events) {
      const [h, eventId = ''] = key.split('#');
      if (h === hubId) out.set(eventId, facts);
    }
    return out;
  }

  async presences(hubId: string): Promise<PresenceFact[]> {
    return [...(this.presence.get(hubId)?.values() ?? [])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
}
