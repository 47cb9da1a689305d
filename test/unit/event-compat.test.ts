import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASELINE_DIR } from '../../events/baseline.ts';
import { catalogJsonSchemas } from '../../events/catalog.ts';

type Schema = { properties?: Record<string, Schema>; required?: string[]; [k: string]: unknown };
const baseline = (name: string) => JSON.parse(readFileSync(join(BASELINE_DIR, `${name}.json`), 'utf8')) as Schema;

/** Lists what `next` breaks for consumers of `prev`: removed or retyped fields, new required fields. */
function breakingChanges(prev: Schema, next: Schema, path = 'detail'): string[] {
  const problems: string[] = [];
  const prevProps = prev.properties ?? {};
  const nextProps = next.properties ?? {};
  for (const [key, schema] of Object.entries(prevProps)) {
    const now = nextProps[key];
    if (`${path}.${key}` === 'detail.metadata.schemaVersion') continue; // the version itself is what a new version changes
    if (!now) problems.push(`${path}.${key} was removed`);
    else if (schema.properties || now.properties) problems.push(...breakingChanges(schema, now, `${path}.${key}`));
    else if (JSON.stringify({ ...schema, description: undefined }) !== JSON.stringify({ ...now, description: undefined })) problems.push(`${path}.${key} changed type`);
  }
  for (const key of next.required ?? []) if (!(prev.required ?? []).includes(key)) problems.push(`${path}.${key} became required`);
  return problems;
}

describe('event schema compatibility', () => {
  const current = catalogJsonSchemas() as Record<string, Schema>;

  it.each(Object.keys(current))('%s is frozen: its published schema is unchanged', (name) => {
    expect(existsSync(join(BASELINE_DIR, `${name}.json`)), `run npm run events:baseline to freeze ${name}`).toBe(true);
    expect(current[name], `${name} changed after it was published: add a new version instead`).toEqual(baseline(name));
  });

  it('each version only adds optional fields to the one before', () => {
    const files = readdirSync(BASELINE_DIR).map((f) => /^(\w+)\.v(\d+)\.json$/.exec(f)).filter((m): m is RegExpExecArray => m !== null);
    for (const [, type, v] of files) {
      const prev = `${type}.v${Number(v) - 1}`;
      if (!existsSync(join(BASELINE_DIR, `${prev}.json`))) continue;
      expect(breakingChanges(baseline(prev), baseline(`${type}.v${v}`)), `${type} v${v}`).toEqual([]);
    }
  });

  it('recognises a breaking change', () => {
    const v1: Schema = { properties: { data: { properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a'] } } };
    expect(breakingChanges(v1, { properties: { data: { properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'string' } }, required: ['a'] } } })).toEqual([]);
    expect(breakingChanges(v1, { properties: { data: { properties: { a: { type: 'number' } }, required: ['a', 'b'] } } })).toEqual(['detail.data.a changed type', 'detail.data.b was removed', 'detail.data.b became required']);
  });
});
