import { describe, expect, it } from 'vitest';
import { INSTRUMENTS, INSTRUMENT_DATA, instrument, instrumentProblems, parseInstruments, type Instrument } from '../../studies/instruments.ts';
import { loadStudies } from '../../studies/load.ts';

const clone = () => structuredClone(INSTRUMENT_DATA) as any[];

describe('the shipped survey instruments', () => {
  it('are WHO-5 (5 items, 0–5), psychological safety adapted to the hub (7 items, 1–7, three reversed), the Brief Sense of Community Scale (8 items, 1–5) and weak ties', () => {
    const who5 = instrument('who-5');
    expect(who5.items).toHaveLength(5);
    expect([who5.scale?.min, who5.scale?.max]).toEqual([0, 5]);
    expect(who5.citation).toMatch(/World Health Organization \(1998\)/);
    expect(who5.licence.kind).toBe('free');

    const ps = instrument('psychological-safety-hub');
    expect(ps.items).toHaveLength(7);
    expect(ps.items.filter((i) => i.kind === 'scale' && i.reversed).map((i) => i.id)).toEqual(['mistake-held-against', 'reject-different', 'hard-to-ask-help']);
    expect(ps.citation).toMatch(/Edmondson, A\. \(1999\)/);
    expect(ps.adapted).toMatch(/this hub/);

    const bscs = instrument('brief-sense-of-community');
    expect(bscs.items).toHaveLength(8);
    expect(bscs.citation).toMatch(/Peterson, N\. A\., Speer, P\. W\., & McMillan, D\. W\. \(2008\)/);

    const weak = instrument('weak-ties');
    expect(weak.items.map((i) => i.kind)).toEqual(['count', 'count', 'multi-select']);
    const types = weak.items[2]?.kind === 'multi-select' ? weak.items[2].options.map((o) => o.value) : [];
    expect(types).toEqual(['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university', 'business', 'other']);
  });

  it('have every item and anchor in Swedish and English, and mark the Swedish wording as the project translation', () => {
    for (const ins of INSTRUMENTS) {
      for (const item of ins.items) expect(item.text.sv.length * item.text.en.length).toBeGreaterThan(0);
      for (const a of ins.scale?.anchors ?? []) expect(a.label.sv && a.label.en).toBeTruthy();
      if (ins.id !== 'weak-ties') expect(ins.translation.sv).toMatch(/project translation/);
    }
  });
});

describe('instrument validation names the instrument and the field', () => {
  it.each<[string, (d: any[]) => void, RegExp]>([
    ['a scale without an anchor for a value', (d) => d[0].scale.anchors.pop(), /\(who-5\)\.scale\.anchors: No anchor for 5/],
    ['a duplicate item', (d) => (d[1].items[1].id = d[1].items[0].id), /\(psychological-safety-hub\)\.items\.1\.id: Duplicate item/],
    ['an item without Swedish', (d) => delete d[2].items[0].text.sv, /\(brief-sense-of-community\)\.items\.0\.text\.sv/],
    ['scale items without a scale', (d) => delete d[0].scale, /\(who-5\)\.scale: An instrument with scale items needs a scale/],
    ['a known instrument left undefined', (d) => d.pop(), /"weak-ties" is a known instrument id but has no definition/],
  ])('refuses %s', (_name, change, message) => {
    const data = clone();
    change(data);
    expect(() => parseInstruments(data)).toThrow(message);
  });
});

describe('licensed instruments', () => {
  const licensed: Instrument[] = INSTRUMENTS.map((i) => (i.id === 'who-5' ? { ...i, licence: { kind: 'licensed', name: 'WHO-5 commercial licence', terms: 'test' } } : i));

  it('are refused for a study that does not declare the licence, and allowed for one that does', () => {
    expect(instrumentProblems({ surveyInstruments: ['who-5'], licences: [] }, licensed)).toEqual([
      'surveyInstruments[0]: "who-5" is licensed: add "WHO-5 commercial licence" to "licences" only when the study holds that licence',
    ]);
    expect(instrumentProblems({ surveyInstruments: ['who-5'], licences: ['WHO-5 commercial licence'] }, licensed)).toEqual([]);
    expect(instrumentProblems({ surveyInstruments: ['weak-ties'], licences: [] }, licensed)).toEqual([]);
  });

  it('none of the shipped ones needs a licence, so the example study passes', () => {
    expect(INSTRUMENTS.filter((i) => i.licence.kind === 'licensed')).toEqual([]);
    expect(loadStudies()[0]?.surveyInstruments.length).toBeGreaterThan(0);
  });
});
