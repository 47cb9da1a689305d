import * as z from 'zod';
import { ROW_SCHEMAS, type TableName } from './rows.ts';

/** One column of a research table, derived from its zod row schema. */
export interface Column {
  name: string;
  /** The Glue/Hive type: `string`, `int`, `bigint`, `double` or `boolean`. */
  type: 'string' | 'int' | 'bigint' | 'double' | 'boolean';
  nullable: boolean;
  description: string;
}

type JsonSchema = { type?: string | string[]; anyOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; description?: string; properties?: Record<string, JsonSchema> };

function scalar(s: JsonSchema): { type: Column['type']; nullable: boolean } {
  if (s.anyOf) {
    const parts = s.anyOf.filter((p) => p.type !== 'null');
    const inner = parts.map(scalar);
    const types = [...new Set(inner.map((i) => i.type))];
    if (types.length !== 1) throw new Error(`A research column mixes types: ${JSON.stringify(s)}`);
    return { type: types[0] as Column['type'], nullable: parts.length < s.anyOf.length || inner.some((i) => i.nullable) };
  }
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null') : s.type;
  const nullable = Array.isArray(s.type) && s.type.includes('null');
  const one = Array.isArray(t) ? t[0] : t;
  if (one === 'string' || s.enum || typeof s.const === 'string') return { type: 'string', nullable };
  if (one === 'integer') return { type: 'int', nullable };
  if (one === 'number') return { type: 'double', nullable };
  if (one === 'boolean') return { type: 'boolean', nullable };
  throw new Error(`A research column has a type with no Glue equivalent: ${JSON.stringify(s)}`);
}

/** The columns of a research table, in order, with type and meaning: the Glue schema and the codebook. */
export function columnsOf(table: TableName): Column[] {
  const schema = z.toJSONSchema(ROW_SCHEMAS[table], { io: 'output' }) as JsonSchema;
  return Object.entries(schema.properties ?? {}).map(([name, s]) => {
    const { type, nullable } = scalar(s);
    const description = s.description ?? s.anyOf?.find((p) => p.description)?.description ?? '';
    return { name, type, nullable, description };
  });
}

/** The events a table's rows come from. */
export function sourceEventsOf(table: TableName): string[] {
  return (z.globalRegistry.get(ROW_SCHEMAS[table])?.sourceEvents as string[] | undefined) ?? [];
}
