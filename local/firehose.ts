/**
 * Kinesis Data Firehose delivery streams, emulated from the synthesized template as pipes are:
 * each `AWS::KinesisFirehose::DeliveryStream` with an extended S3 destination becomes a local
 * stream that takes `PutRecordBatch` (the AWS SDK, pointed here by `AWS_ENDPOINT_URL_FIREHOSE`),
 * buffers the records, and writes them as Parquet by DuckDB under the lake folder, at the S3 key
 * the stream would use: its `Prefix` with `!{partitionKeyFromQuery:<key>}` taken from the record
 * (the metadata-extraction query `{key: .field}`; only plain field paths are understood here), and
 * the columns and types of the Glue table its format conversion names (so a field the Glue
 * schema lacks is dropped, as on AWS). Without format conversion the records are written as
 * newline-delimited JSON.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** One delivery stream as the template describes it. */
export interface DeliveryStreamDef {
  name: string;
  /** The S3 key prefix, with `!{partitionKeyFromQuery:<key>}` placeholders. */
  prefix: string;
  /** Partition keys: the record field each comes from (`{month: .month}` → `month: 'month'`). */
  partitionKeys: Record<string, string>;
  /** The Glue columns of the Parquet schema (none: JSON lines). */
  columns?: Array<{ name: string; type: string }>;
  /** How long records wait in the buffer (seconds; the local runtime shortens it). */
  bufferSeconds: number;
}

const DUCK_TYPES: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };

/** Reads the delivery streams of a resolved template resource's properties. */
export function deliveryStreamDef(
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read field by field
  p: Record<string, any>,
  glueTable: (databaseName: string, tableName: string) => Array<{ name: string; type: string }> | undefined,
): DeliveryStreamDef | undefined {
  const s3 = p.ExtendedS3DestinationConfiguration;
  if (!s3) return undefined;
  const partitionKeys: Record<string, string> = {};
  for (const proc of s3.ProcessingConfiguration?.Processors ?? []) {
    if (proc.Type !== 'MetadataExtraction') continue;
    const query = String(proc.Parameters?.find((x: { ParameterName: string }) => x.ParameterName === 'MetadataExtractionQuery')?.ParameterValue ?? '');
    for (const m of query.matchAll(/(\w+)\s*:\s*\.(\w+)/g)) partitionKeys[m[1] as string] = m[2] as string;
  }
  const schema = s3.DataFormatConversionConfiguration?.Enabled ? s3.DataFormatConversionConfiguration.SchemaConfiguration : undefined;
  const columns = schema ? glueTable(String(schema.DatabaseName), String(schema.TableName)) : undefined;
  if (schema && !columns) throw new Error(`Delivery stream ${p.DeliveryStreamName}: no Glue table ${schema.DatabaseName}.${schema.TableName} in the templates`);
  return { name: String(p.DeliveryStreamName), prefix: String(s3.Prefix ?? ''), partitionKeys, ...(columns ? { columns } : {}), bufferSeconds: Number(s3.BufferingHints?.IntervalInSeconds ?? 300) };
}

/** The local delivery streams: buffer, then write files under `lakeDir`. */
export class LocalDeliveryStreams {
  private readonly streams: Map<string, DeliveryStreamDef>;
  private readonly buffers = new Map<string, Array<Record<string, unknown>>>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private connection: Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> | undefined;
  readonly stats = { records: 0, files: 0 };

  constructor(
    defs: DeliveryStreamDef[],
    private readonly options: { lakeDir: string; flushMs: number; log: (m: string) => void },
  ) {
    this.streams = new Map(defs.map((d) => [d.name, d]));
  }

  get names(): string[] {
    return [...this.streams.keys()];
  }

  /** `PutRecordBatch`: every record is JSON (one or more lines); a record that is not is refused in its slot. */
  putRecordBatch(input: { DeliveryStreamName?: string; Records?: Array<{ Data?: string }> }): { status: number; body: unknown } {
    const def = this.streams.get(String(input.DeliveryStreamName));
    if (!def) return { status: 400, body: { __type: 'ResourceNotFoundException', message: `Firehose ${input.DeliveryStreamName} under account 000000000000 not found.` } };
    const buffer = this.buffers.get(def.name) ?? [];
    const responses = (input.Records ?? []).map((r) => {
      try {
        const text = Buffer.from(r.Data ?? '', 'base64').toString('utf8');
        for (const line of text.split('\n').filter((l) => l.trim())) buffer.push(JSON.parse(line) as Record<string, unknown>);
        return { RecordId: randomUUID() };
      } catch {
        return { ErrorCode: 'InvalidArgumentException', ErrorMessage: 'Record is not JSON' };
      }
    });
    this.buffers.set(def.name, buffer);
    this.stats.records += responses.filter((r) => 'RecordId' in r).length;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: Error) => this.options.log(`firehose: flush failed: ${e.message}`));
    }, this.options.flushMs);
    return { status: 200, body: { FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length, Encrypted: false, RequestResponses: responses } };
  }

  /** Writes every buffered record now (tests, `idle()`, stop). */
  flush(): Promise<void> {
    const batches = [...this.buffers.entries()].filter(([, rows]) => rows.length > 0);
    this.buffers.clear();
    this.writing = this.writing.then(async () => {
      for (const [name, rows] of batches) await this.write(this.streams.get(name) as DeliveryStreamDef, rows);
    });
    return this.writing;
  }

  private async write(def: DeliveryStreamDef, rows: Array<Record<string, unknown>>): Promise<void> {
    const byPrefix = new Map<string, Array<Record<string, unknown>>>();
    for (const row of rows) {
      const prefix = def.prefix.replace(/!\{partitionKeyFromQuery:(\w+)\}/g, (_m, key: string) => {
        const value = row[def.partitionKeys[key] ?? key];
        if (typeof value !== 'string' || !/^[\w.-]+$/.test(value)) throw new Error(`${def.name}: record without a usable partition key "${key}"`);
        return value;
      });
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), row]);
    }
    for (const [prefix, part] of byPrefix) {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const base = join(this.options.lakeDir, prefix, `${def.name}-${stamp}-${randomUUID()}`);
      mkdirSync(dirname(base), { recursive: true });
      const json = part.map((r) => JSON.stringify(r)).join('\n');
      if (!def.columns) {
        writeFileSync(`${base}.json`, `${json}\n`);
      } else {
        const tmp = join(tmpdir(), `firehose-${randomUUID()}.jsonl`);
        writeFileSync(tmp, json);
        try {
          const { conn } = await this.duck();
          const columns = def.columns.map((c) => `'${c.name}': '${DUCK_TYPES[c.type] ?? 'VARCHAR'}'`).join(', ');
          const names = def.columns.map((c) => `"${c.name}"`).join(', ');
          await conn.run(`COPY (SELECT ${names} FROM read_json('${tmp}', format = 'newline_delimited', columns = {${columns}})) TO '${base}.parquet' (FORMAT parquet, COMPRESSION snappy)`);
        } finally {
          rmSync(tmp, { force: true });
        }
      }
      this.stats.files++;
    }
  }

  private duck() {
    this.connection ??= DuckDBInstance.create(':memory:').then(async (instance) => ({ instance, conn: await instance.connect() }));
    return this.connection;
  }

  /** Flushes and closes DuckDB. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    const connection = this.connection;
    if (connection !== undefined) {
      const { instance, conn } = await connection;
      conn.closeSync();
      instance.closeSync();
      this.connection = undefined;
    }
  }
}
