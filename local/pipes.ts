import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEventBus } from './event-bus.ts';
import { matches } from './event-pattern.ts';
import type { LocalFunctions } from './lambda.ts';
import type { LocalQueues } from './queues.ts';
import { backoff, sleep, type RetryTiming } from './timing.ts';

/** A DynamoDB-stream → event-bus pipe as the template declares it. */
export interface PipeDef {
  name: string;
  tableName: string;
  filters: unknown[];
  batchSize: number;
  /** -1: retry until the record expires from the stream. */
  maximumRetryAttempts: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  deadLetterArn?: string;
  enrichmentFunction?: string;
  targetBus: string;
  detailType: string;
  source: string;
}

/** Stores each shard's last processed sequence number. */
export interface CheckpointStore {
  get(pipe: string): Record<string, string>;
  set(pipe: string, checkpoints: Record<string, string>): void;
}

/** Empty polls at `pollMs` after the last activity before an idle pipe starts to back off. */
const IDLE_PASSES_BEFORE_BACKOFF = 10;

/** Checkpoints in memory (for `start:fresh` and tests). */
export const memoryCheckpoints = (): CheckpointStore => {
  const m = new Map<string, Record<string, string>>();
  return { get: (p) => ({ ...(m.get(p) ?? {}) }), set: (p, c) => void m.set(p, { ...c }) };
};

/**
 * Checkpoints in `<dir>/<pipe>.json`, so a restarted runtime resumes where it stopped. Written to
 * a temporary file and renamed, so that a crash mid-write leaves the old checkpoint, not a torn
 * one. The pipe sets a checkpoint only after the bus has durably accepted the batch.
 */
export const fileCheckpoints = (dir: string): CheckpointStore => {
  mkdirSync(dir, { recursive: true });
  const file = (p: string) => join(dir, `${p}.json`);
  return {
    get: (p) => (existsSync(file(p)) ? (JSON.parse(readFileSync(file(p), 'utf8')) as Record<string, string>) : {}),
    set: (p, c) => {
      writeFileSync(`${file(p)}.tmp`, JSON.stringify(c));
      renameSync(`${file(p)}.tmp`, file(p));
    },
  };
};

/** A stream record in the JSON shape Pipes hands to filters, enrichments and targets. */
function toPipeRecord(r: _Record, region: string, streamArn: string) {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(d.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000) } : {}),
      Keys: d.Keys,
      ...(d.NewImage ? { NewImage: d.NewImage } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
}

/**
 * What a stream pipe puts in its DLQ: not the records, but the batch they were in (shard, first
 * and last sequence number, stream, arrival times: `DDBStreamBatchInfo`, as Pipes and Lambda's
 * stream destinations do). `npm run redrive` reads the records back from the stream.
 */
function deadLetterMessage(def: PipeDef, batch: ReturnType<typeof toPipeRecord>[], from: { shardId: string; streamArn: string }, error: Error) {
  const first = batch[0]?.dynamodb;
  const last = batch.at(-1)?.dynamodb;
  const at = (s?: number) => (s === undefined ? undefined : new Date(s * 1000).toISOString());
  return {
    context: { partnerResourceArn: `arn:aws:pipes:${from.streamArn.split(':')[3]}:000000000000:pipe/${def.name}`, condition: 'RetryAttemptsExhausted', errorMessage: error.message },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: from.shardId,
      startSequenceNumber: first?.SequenceNumber,
      endSequenceNumber: last?.SequenceNumber,
      approximateArrivalOfFirstRecord: at(first?.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: at(last?.ApproximateCreationDateTime),
      batchSize: batch.length,
      streamArn: from.streamArn,
    },
  };
}

/** Evaluates a Pipes dynamic path parameter (`$.a.b`) against a payload; other values are literal. */
export function dynamicParameter(value: string, payload: unknown): string {
  if (!value.startsWith('$.')) return value;
  let cur: unknown = payload;
  for (const key of value.slice(2).split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  if (typeof cur !== 'string') throw new Error(`Dynamic path ${value} did not resolve to a string`);
  return cur;
}

/**
 * The local EventBridge Pipe for a DynamoDB stream: reads DynamoDB Local's stream shard by
 * shard, filters records with the pipe's patterns, calls the enrichment function with each
 * batch and puts the results on the target bus. A failed batch is retried with backoff and
 * the checkpoint only moves past it after success (or after the DLQ took it), so an event is
 * never lost when the bus is down after the write succeeded.
 */
export class LocalPipe {
  private running = false;
  private loop?: Promise<void>;
  private readonly iterators = new Map<string, string | null>();
  private checkpoints: Record<string, string>;
  /** Records read, filtered through, and batches retried or dead-lettered. */
  readonly stats = { read: 0, forwarded: 0, retries: 0, deadLettered: 0, polls: 0 };
  private caughtUpWaiters: Array<() => void> = [];
  private lastEmptyPass = 0;
  /** Ends the current idle wait early (`wake()`). */
  private wakeUp: (() => void) | undefined;
  /** TrimmedDataAccessExceptions in a row (the first is DynamoDB Local's quirk on a new table's empty shard). */
  private trimmedInARow = 0;
  /** Empty passes in a row: the idle wait doubles with each, from `pollMs` up to `maxIdlePollMs`. */
  private emptyPasses = 0;

  constructor(
    readonly def: PipeDef,
    private readonly deps: {
      ddb: DynamoDBClient;
      streams: DynamoDBStreamsClient;
      functions: LocalFunctions;
      bus: LocalEventBus;
      queues: LocalQueues;
      checkpoints: CheckpointStore;
      timing: RetryTiming;
      region: string;
      pollMs: number;
      /** The longest wait between polls of an idle stream (default: `pollMs`, no backoff). */
      maxIdlePollMs?: number;
      log(message: string): void;
    },
  ) {
    this.checkpoints = deps.checkpoints.get(def.name);
  }

  /** Starts polling. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling after the batch in hand. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.(); // not a whole idle wait (up to maxIdlePollMs) before it ends
    await this.loop;
  }

  /**
   * Polls again now, and at the short interval for a while: something may have been written (a
   * function finished, someone waits for delivery). Idle pipes back off to `maxIdlePollMs`.
   */
  wake(): void {
    this.emptyPasses = 0;
    this.wakeUp?.();
  }

  /** Resolves after a full pass over the stream found nothing new (everything written so far is forwarded). */
  caughtUp(): Promise<void> {
    this.wake();
    const since = Date.now();
    return new Promise((resolve) => {
      const check = () => (this.lastEmptyPass > since ? resolve() : this.caughtUpWaiters.push(check));
      this.caughtUpWaiters.push(check);
    });
  }

  private async run(): Promise<void> {
    let streamArn: string | undefined;
    while (this.running) {
      try {
        streamArn ??= (await this.deps.ddb.send(new DescribeTableCommand({ TableName: this.def.tableName }))).Table?.LatestStreamArn;
        if (!streamArn) throw new Error(`Table ${this.def.tableName} has no stream`);
        const passStart = Date.now();
        this.stats.polls++;
        const got = await this.pass(streamArn);
        if (got === 0) {
          this.lastEmptyPass = passStart;
          const waiters = this.caughtUpWaiters;
          this.caughtUpWaiters = [];
          for (const w of waiters) w();
          // Back off while idle (a poll costs the runtime and DynamoDB Local CPU); wake() cuts the wait short.
          const wait = Math.min(this.deps.maxIdlePollMs ?? this.deps.pollMs, this.deps.pollMs * 2 ** Math.max(0, this.emptyPasses - IDLE_PASSES_BEFORE_BACKOFF));
          this.emptyPasses++;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            this.wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeUp = undefined;
        } else {
          this.emptyPasses = 0;
        }
      } catch (e) {
        if (!this.running) break;
        // DynamoDB Local refuses, once, an iterator taken on a shard while it was empty (the first writes to a
        // new table): the pipe reads again from its checkpoint, losing nothing. Said only when it happens again.
        const trimmed = (e as Error).name === 'TrimmedDataAccessException';
        if (!trimmed || this.trimmedInARow++ > 0) this.deps.log(`pipe ${this.def.name}: ${(e as Error).message}`);
        this.iterators.clear();
        await sleep(trimmed && this.trimmedInARow === 1 ? 0 : 500);
        continue;
      }
      this.trimmedInARow = 0;
    }
  }

  /** One pass over every shard; returns how many records it read. */
  private async pass(streamArn: string): Promise<number> {
    const desc = await this.deps.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    let read = 0;
    for (const shard of desc.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId) continue;
      if (this.iterators.get(shardId) === null) continue; // closed and drained
      let iterator = this.iterators.get(shardId);
      if (iterator === undefined) {
        const seq = this.checkpoints[shardId];
        const res = await this.deps.streams.send(
          new GetShardIteratorCommand(
            seq
              ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: seq }
              : { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: this.def.startingPosition },
          ),
        );
        iterator = res.ShardIterator ?? null;
      }
      if (!iterator) {
        this.iterators.set(shardId, null);
        continue;
      }
      const res = await this.deps.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const records = res.Records ?? [];
      read += records.length;
      this.stats.read += records.length;
      for (let i = 0; i < records.length && this.running; i += this.def.batchSize) {
        const batch = records.slice(i, i + this.def.batchSize);
        // Stopped before the bus took the batch: no checkpoint, the next start reads it again.
        if (!(await this.deliver(batch.map((r) => toPipeRecord(r, this.deps.region, streamArn)), { shardId, streamArn }))) break;
        const last = batch.at(-1)?.dynamodb?.SequenceNumber;
        if (last) this.checkpoints[shardId] = last;
        this.deps.checkpoints.set(this.def.name, this.checkpoints);
      }
      if (!this.running) break;
      this.iterators.set(shardId, res.NextShardIterator ?? null);
    }
    return read;
  }

  /** Puts a batch on the bus (or dead-letters it); false if the pipe stopped before either happened. */
  private async deliver(batch: ReturnType<typeof toPipeRecord>[], from: { shardId: string; streamArn: string }): Promise<boolean> {
    const selected = batch.filter((r) => this.def.filters.length === 0 || this.def.filters.some((f) => matches(f, r)));
    if (selected.length === 0) return true;
    for (let attempt = 1; this.running; attempt++) {
      try {
        const payloads = this.def.enrichmentFunction ? await this.deps.functions.invoke(this.def.enrichmentFunction, selected) : selected;
        if (!Array.isArray(payloads)) throw new Error(`Enrichment ${this.def.enrichmentFunction} must return an array`);
        if (payloads.length > 0) {
          this.deps.bus.putEvents(
            this.def.targetBus,
            payloads.map((p) => ({ source: dynamicParameter(this.def.source, p), detailType: dynamicParameter(this.def.detailType, p), detail: p })),
          );
        }
        this.stats.forwarded += payloads.length;
        return true;
      } catch (e) {
        if (this.def.maximumRetryAttempts !== -1 && attempt > this.def.maximumRetryAttempts) {
          this.stats.deadLettered++;
          if (this.def.deadLetterArn) this.deps.queues.send(this.def.deadLetterArn, deadLetterMessage(this.def, batch, from, e as Error), { PIPE: this.def.name, ERROR_MESSAGE: (e as Error).message });
          else this.deps.log(`pipe ${this.def.name}: batch dropped after ${attempt} attempts (no DLQ): ${(e as Error).message}`);
          return true;
        }
        this.stats.retries++;
        await sleep(backoff(this.deps.timing, attempt));
      }
    }
    return false;
  }
}
