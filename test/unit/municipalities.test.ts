import { describe, expect, it } from 'vitest';
import { COUNTIES, MUNICIPALITIES, municipality } from '../../hubs/municipalities.ts';
import { HUBS } from '../support/report-events.ts';

describe("SCB's municipality list", () => {
  it('holds all 290 municipalities, each code once, in one of the 21 counties', () => {
    expect(MUNICIPALITIES).toHaveLength(290);
    expect(new Set(MUNICIPALITIES.map((m) => m.code)).size).toBe(290);
    expect(Object.keys(COUNTIES)).toHaveLength(21);
    for (const m of MUNICIPALITIES) {
      expect(m.code).toMatch(/^\d{4}$/);
      expect(m.code.slice(0, 2)).toBe(m.county);
      expect(COUNTIES[m.county]).toBeDefined();
    }
  });

  it('has the well-known codes', () => {
    const names = Object.fromEntries(['0180', '2480', '2482', '2580', '2582', '2380', '1480', '1280', '0380', '2584'].map((c) => [c, municipality(c)?.name]));
    expect(names).toEqual({ '0180': 'Stockholm', '2480': 'Umeå', '2482': 'Skellefteå', '2580': 'Luleå', '2582': 'Boden', '2380': 'Östersund', '1480': 'Göteborg', '1280': 'Malmö', '0380': 'Uppsala', '2584': 'Kiruna' });
    expect(municipality('2499')).toBeUndefined();
  });

  it("gives every shipped hub its municipality's code", () => {
    for (const h of HUBS) expect(municipality(h.municipalityCode ?? '')?.name, h.id).toBe(h.municipality);
  });
});
