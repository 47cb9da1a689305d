import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { BASELINE_DIR } from '../../events/baseline.ts';
import { catalogJsonSchemas, CheckedIn, eventJsonSchema } from '../../events/catalog.ts';
import { breakingChanges, versionProblems, type JsonSchema } from '../../events/compat.ts';

const baseline = (name: string) => JSON.parse(readFileSync(join(BASELINE_DIR, `${name}.json`), 'utf8')) as JsonSchema;
const baselines = () => Object.fromEntries(readdirSync(BASELINE_DIR).filter((f) => f.endsWith('.json')).map((f) => [f.slice(0, -'.json'.length), baseline(f.slice(0, -'.json'.length))]));

/** A synthetic next version of the real CheckedIn event, with its data changed by `change`. */
const checkedInV2 = (change: (data: typeof CheckedIn.data) => z.ZodType) => eventJsonSchema({ ...CheckedIn, version: CheckedIn.version + 1, data: change(CheckedIn.data) }) as JsonSchema;

describe('event schema compatibility', () => {
  const current = catalogJsonSchemas() as Record<string, JsonSchema>;

  it.each(Object.keys(current))('%s is frozen: its published schema is unchanged', (name) => {
    expect(existsSync(join(BASELINE_DIR, `${name}.json`)), `run npm run events:baseline to freeze ${name}`).toBe(true);
    expect(current[name], `${name} changed after it was published: add a new version instead`).toEqual(baseline(name));
  });

  it('each published version only adds optional fields to the one before', () => {
    expect(versionProblems(baselines())).toEqual({});
  });
});

describe('the compatibility check, on a synthetic v2 of CheckedIn (published as v1)', () => {
  const v1 = baseline('CheckedIn.v1');

  it('passes a v2 that adds an optional field', () => {
    const v2 = checkedInV2((d) => d.extend({ deskId: z.string().optional() }));
    expect(breakingChanges(v1, v2)).toEqual([]);
    expect(versionProblems({ 'CheckedIn.v1': v1, 'CheckedIn.v2': v2 })).toEqual({});
  });

  it('fails a v2 that retypes a field', () => {
    const v2 = checkedInV2((d) => d.extend({ memberId: z.number() }));
    expect(breakingChanges(v1, v2)).toEqual(['detail.data.memberId changed type']);
    expect(versionProblems({ 'CheckedIn.v1': v1, 'CheckedIn.v2': v2 })).toEqual({ 'CheckedIn.v2': ['detail.data.memberId changed type'] });
  });

  it('fails a v2 that removes a field', () => {
    const v2 = checkedInV2((d) => d.omit({ localDate: true }));
    expect(breakingChanges(v1, v2)).toEqual(['detail.data.localDate was removed']);
  });

  it('fails a v2 that adds a required field', () => {
    const v2 = checkedInV2((d) => d.extend({ deskId: z.string() }));
    expect(breakingChanges(v1, v2)).toEqual(['detail.data.deskId became required']);
  });

  it('fails a v2 that narrows a field’s values', () => {
    const v2 = checkedInV2((d) => d.extend({ membership: z.enum(['member']) }));
    expect(breakingChanges(v1, v2)).toEqual(['detail.data.membership changed type']);
  });
});
