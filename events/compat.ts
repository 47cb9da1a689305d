/**
 * Compatibility of event schema versions: a new version of an event may only add optional
 * fields to the one before, so that consumers of the old version keep working.
 */

/** The part of a JSON Schema the check reads. */
export type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; [k: string]: unknown };

/** Lists what `next` breaks for consumers of `prev`: removed or retyped fields, new required fields. */
export function breakingChanges(prev: JsonSchema, next: JsonSchema, path = 'detail'): string[] {
  const problems: string[] = [];
  const prevProps = prev.properties ?? {};
  const nextProps = next.properties ?? {};
  for (const [key, schema] of Object.entries(prevProps)) {
    const now = nextProps[key];
    if (!now) problems.push(`${path}.${key} was removed`);
    else if (path === 'detail.metadata' && key === 'schemaVersion') {
      // Every version carries its own number: a later one is the point, not a retyping.
      if (!(typeof schema.const === 'number' && typeof now.const === 'number' && now.const > schema.const)) problems.push(`${path}.${key} must increase`);
    } else if (schema.properties || now.properties) problems.push(...breakingChanges(schema, now, `${path}.${key}`));
    else if (JSON.stringify({ ...schema, description: undefined }) !== JSON.stringify({ ...now, description: undefined })) problems.push(`${path}.${key} changed type`);
  }
  for (const key of next.required ?? []) if (!(prev.required ?? []).includes(key)) problems.push(`${path}.${key} became required`);
  return problems;
}

/**
 * Checks every `<Type>.v<N>` of a set of schemas against `<Type>.v<N-1>`; returns the problems
 * by version (empty when every version only adds optional fields).
 */
export function versionProblems(schemas: Record<string, JsonSchema>): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  for (const name of Object.keys(schemas)) {
    const m = /^(\w+)\.v(\d+)$/.exec(name);
    if (!m) continue;
    const prev = schemas[`${m[1]}.v${Number(m[2]) - 1}`];
    const next = schemas[name];
    if (!prev || !next) continue;
    const found = breakingChanges(prev, next);
    if (found.length) problems[name] = found;
  }
  return problems;
}
