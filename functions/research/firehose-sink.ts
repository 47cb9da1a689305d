import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { RowSink } from './project.ts';
import type { TableName } from './rows.ts';

/** PutRecordBatch takes at most 500 records (and 4 MiB). */
const BATCH = 500;

/**
 * Writes rows as newline-terminated JSON records to the delivery stream of the study's table
 * (`streamName`). Records the stream refuses (`FailedPutCount`) are sent again, up to
 * `attempts` times; then the call throws, so the event is retried and nothing is lost silently.
 */
export class FirehoseSink implements RowSink {
  constructor(
    private readonly client: FirehoseClient,
    private readonly streamName: (studyId: string, table: TableName) => string,
    private readonly attempts = 5,
  ) {}

  async put(studyId: string, table: TableName, rows: object[]): Promise<void> {
    const name = this.streamName(studyId, table);
    for (let i = 0; i < rows.length; i += BATCH) {
      let pending = rows.slice(i, i + BATCH).map((r) => ({ Data: Buffer.from(`${JSON.stringify(r)}\n`) }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await this.client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: pending }));
        if (!res.FailedPutCount) break;
        if (attempt >= this.attempts) throw new Error(`${name}: ${res.FailedPutCount} records refused after ${attempt} attempts (${res.RequestResponses?.find((r) => r.ErrorCode)?.ErrorCode})`);
        pending = pending.filter((_, j) => res.RequestResponses?.[j]?.ErrorCode);
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }
}
