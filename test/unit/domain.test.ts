import { describe, expect, it } from 'vitest';
import { catalog, catalogJsonSchemas, parseDetail } from '../../events/catalog.ts';
import { buildEvent } from '../../functions/domain/events.ts';
import { MEMBER_CODE_ALPHABET, newMemberCode, normaliseMemberCode } from '../../functions/domain/ids.ts';
import { canonicalOrgNumber } from '../../functions/domain/orgnumber.ts';
import { localDate } from '../../functions/domain/time.ts';

describe('Swedish organisation numbers', () => {
  it.each([
    ['202100-2114', '202100-2114'],
    ['2021002114', '202100-2114'],
    ['16202100-2114', '202100-2114'],
    ['556036-0793', '556036-0793'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(canonicalOrgNumber(input)).toBe(canonical);
  });

  it.each(['202100-2115', '12345', '556036-079', 'abcdef-ghij', ''])('rejects %s', (input) => {
    expect(canonicalOrgNumber(input)).toBeUndefined();
  });
});

describe('member codes', () => {
  it('are 8 characters of an alphabet without look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const code = newMemberCode();
      expect(code).toHaveLength(8);
      for (const c of code) expect(MEMBER_CODE_ALPHABET).toContain(c);
    }
    expect(MEMBER_CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('normalise what staff type', () => {
    expect(normaliseMemberCode('k7qx-4m2p ')).toBe('K7QX4M2P');
  });
});

describe('hub-local dates', () => {
  it('use Europe/Stockholm, also across midnight UTC and the clock change', () => {
    expect(localDate(new Date('2026-11-26T23:30:00Z'), 'Europe/Stockholm')).toBe('2026-11-27');
    expect(localDate(new Date('2026-07-01T22:30:00Z'), 'Europe/Stockholm')).toBe('2026-07-02');
    expect(localDate(new Date('2026-03-29T00:59:00Z'), 'Europe/Stockholm')).toBe('2026-03-29');
    expect(localDate(new Date('2026-10-24T22:30:00Z'), 'Europe/Stockholm')).toBe('2026-10-25');
  });
});

describe('the event catalog', () => {
  const ctx = { hubId: 'umea', correlationId: 'req-1', now: new Date('2026-11-26T08:00:00Z') };

  it('builds events with the envelope metadata and validates them', () => {
    const e = buildEvent(
      'CheckedIn',
      { visitId: 'v', memberId: 'm', organisationId: 'o', organisationType: 'state-agency', membership: 'member', hubId: 'umea', checkedInAt: '2026-11-26T08:00:00.000Z', localDate: '2026-11-26' },
      ctx,
    );
    expect(e.detail.metadata).toMatchObject({ eventType: 'CheckedIn', schemaVersion: 2, hubId: 'umea', correlationId: 'req-1', occurredAt: '2026-11-26T08:00:00.000Z' });
    expect(e.detail.metadata.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(parseDetail('CheckedIn', e.detail)).toEqual(e.detail);
  });

  it('refuses to build an event whose data does not fit its schema', () => {
    expect(() => buildEvent('CheckedIn', { visitId: 'v' } as never, ctx)).toThrow();
  });

  it('keeps personal data out of MemberRegistered', () => {
    const shape = Object.keys((catalog.MemberRegistered.data as unknown as { shape: Record<string, unknown> }).shape);
    expect(shape).not.toContain('name');
    expect(shape).not.toContain('email');
    expect(() =>
      buildEvent('MemberRegistered', { memberId: 'm', organisationId: 'o', organisationType: 'region', membership: 'member', email: 'a@b.se' } as never, ctx),
    ).toThrow();
  });

  it('generates a JSON Schema for every event', () => {
    const schemas = catalogJsonSchemas() as Record<string, { properties: { metadata: unknown; data: { required: string[] } } }>;
    expect(Object.keys(schemas).sort()).toEqual(['AgencyPresenceScheduled.v1', 'BookingCancelled.v2', 'BookingCreated.v1', 'BookingNoShowReleased.v1', 'CheckedIn.v2', 'CheckedOut.v1', 'DirectoryProfilePublished.v1', 'DirectoryProfileWithdrawn.v1', 'EventAttended.v1', 'EventRegistrationCancelled.v1', 'EventRegistrationCreated.v1', 'EventWaitlistPromoted.v1', 'HubEventCancelled.v1', 'HubEventScheduled.v1', 'HubEventUpdated.v1', 'MemberConsentChanged.v1', 'MemberErased.v1', 'MemberRegistered.v2', 'OrganisationRegistered.v1', 'SurveyAnswered.v1', 'SurveyInvited.v1']);
    expect(schemas['CheckedIn.v2']!.properties.data.required).toEqual(expect.arrayContaining(['visitId', 'memberId', 'localDate']));
  });

  it('reads a detail of an earlier version with the current schema (BookingCancelled v1 before v2 added `reason`)', () => {
    const ctx = { hubId: 'umea', correlationId: 'c', now: new Date('2026-11-26T10:00:00Z') };
    const data = { bookingId: 'b', resourceId: 'r', memberId: 'm', hubId: 'umea', start: '2026-11-26T09:00:00+01:00', end: '2026-11-26T10:00:00+01:00', cancelledAt: '2026-11-26T08:00:00Z' };
    const v2 = buildEvent('BookingCancelled', { ...data, reason: 'member-erased' }, ctx);
    expect(v2.detail.metadata.schemaVersion).toBe(2);
    const v1 = { metadata: { ...v2.detail.metadata, schemaVersion: 1 }, data };
    expect(parseDetail('BookingCancelled', v1).data).toEqual(data);
    expect(() => parseDetail('BookingCancelled', { ...v1, metadata: { ...v1.metadata, schemaVersion: 3 } })).toThrow();
    expect(() => buildEvent('BookingCancelled', { ...data, reason: 'because' } as never, ctx)).toThrow();
  });
});

describe('wall-clock times in Europe/Stockholm', () => {
  it('convert to instants in winter and summer time, across both switches', async () => {
    const { zonedInstant, weekdayOf } = await import('../../functions/domain/time.ts');
    expect(zonedInstant('2026-11-26', '17:00', 'Europe/Stockholm').toISOString()).toBe('2026-11-26T16:00:00.000Z');
    expect(zonedInstant('2026-07-01', '17:00', 'Europe/Stockholm').toISOString()).toBe('2026-07-01T15:00:00.000Z');
    // Last Sunday of March: clocks go 02:00 → 03:00; last Sunday of October: 03:00 → 02:00.
    expect(zonedInstant('2026-03-29', '01:30', 'Europe/Stockholm').toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(zonedInstant('2026-03-29', '17:00', 'Europe/Stockholm').toISOString()).toBe('2026-03-29T15:00:00.000Z');
    expect(zonedInstant('2026-10-25', '17:00', 'Europe/Stockholm').toISOString()).toBe('2026-10-25T16:00:00.000Z');
    expect(zonedInstant('2026-10-24', '23:59:59', 'Europe/Stockholm').toISOString()).toBe('2026-10-24T21:59:59.000Z');
    expect(weekdayOf('2026-11-26')).toBe('thursday');
    expect(weekdayOf('2026-03-29')).toBe('sunday');
  });
});

describe('closing time of a visit', () => {
  it('is the hub’s closing time that day, or the end of the day when closed or checked in late', async () => {
    const { HubService } = await import('../../functions/domain/hub.ts');
    const { loadHubs } = await import('../../hubs/load.ts');
    const hub = loadHubs().find((h) => h.id === 'umea')!;
    const service = new HubService(hub, {} as never, () => new Date());
    // Thursday: open 08:00–17:00.
    expect(service.closingInstant({ localDate: '2026-11-26', checkedInAt: '2026-11-26T08:00:00Z' }).toISOString()).toBe('2026-11-26T16:00:00.000Z');
    // Friday closes 16:00; in summer time that is 14:00 UTC.
    expect(service.closingInstant({ localDate: '2026-06-05', checkedInAt: '2026-06-05T07:00:00Z' }).toISOString()).toBe('2026-06-05T14:00:00.000Z');
    // Checked in after closing: end of that day.
    expect(service.closingInstant({ localDate: '2026-11-26', checkedInAt: '2026-11-26T19:00:00Z' }).toISOString()).toBe('2026-11-26T22:59:59.000Z');
    // Saturday (closed) and julafton (a Thursday, closed by rule: bookingRules.closedOnEves): end of day.
    expect(service.closingInstant({ localDate: '2026-11-28', checkedInAt: '2026-11-28T10:00:00Z' }).toISOString()).toBe('2026-11-28T22:59:59.000Z');
    expect(service.closingInstant({ localDate: '2026-12-24', checkedInAt: '2026-12-24T09:00:00Z' }).toISOString()).toBe('2026-12-24T22:59:59.000Z');
  });
});
