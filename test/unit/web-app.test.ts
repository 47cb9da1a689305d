import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/api.ts';
import { en } from '../../web/src/i18n/en.ts';
import { formats, todayInStockholm } from '../../web/src/i18n/index.ts';
import { sv } from '../../web/src/i18n/sv.ts';

describe("the staff app's pieces", () => {
  it("turns the API's field issues into errors by form field (body., query. and path. dropped; the first per field kept)", () => {
    const err = new ApiError(400, 'validation_failed', 'Invalid request: body.email', [
      { path: 'body.email', message: 'A valid e-mail address' },
      { path: 'body.email', message: 'At most 254 characters' },
      { path: 'query.q', message: 'At least 2 characters' },
      { path: 'path.memberId', message: 'Unknown member' },
    ]);
    expect(err.fields()).toEqual({ email: 'A valid e-mail address', q: 'At least 2 characters', memberId: 'Unknown member' });
  });

  it("takes today's date and the times of day in Stockholm, not in UTC", () => {
    // 23:30 UTC in winter is 00:30 the next day in Stockholm; in summer 22:30 UTC is 00:30.
    expect(todayInStockholm(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(todayInStockholm(new Date('2026-07-01T22:30:00Z'))).toBe('2026-07-02');
    expect(formats('sv').time('2026-07-01T22:30:00Z')).toBe('00:30');
    expect(formats('sv').day(new Date('2026-12-31T23:30:00Z'))).toBe('fredag 1 januari 2027');
    expect(formats('en').day(new Date('2026-12-31T23:30:00Z'))).toBe('Friday, 1 January 2027');
  });

  it('has the same texts in English as in Swedish, each of the same kind', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(sv).sort());
    for (const key of Object.keys(sv) as (keyof typeof sv)[]) expect(typeof en[key], key).toBe(typeof sv[key]);
    expect(en.a11y.map((s) => s.p.length)).toEqual(sv.a11y.map((s) => s.p.length));
  });
});
