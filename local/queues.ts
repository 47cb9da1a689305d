import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A message in a local queue (a dead-letter queue, in practice). */
export interface QueueMessage {
  messageId: string;
  sentAt: string;
  body: unknown;
  attributes: Record<string, string>;
}

/**
 * The local stand-in for SQS dead-letter queues: keeps messages by queue ARN in memory and,
 * when the network persists, appends them to `<dataDir>/dlq/<queue>.jsonl` for inspection.
 */
export class LocalQueues {
  private readonly messages = new Map<string, QueueMessage[]>();
  private seq = 0;

  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  /** Sends a message to a queue. */
  send(arn: string, body: unknown, attributes: Record<string, string> = {}): void {
    const msg: QueueMessage = { messageId: `local-${++this.seq}`, sentAt: new Date().toISOString(), body, attributes };
    const list = this.messages.get(arn) ?? [];
    list.push(msg);
    this.messages.set(arn, list);
    if (this.dir) {
      // Synced: the bus and the pipes drop their own copy once the DLQ has it.
      const fd = openSync(join(this.dir, `${arn.split(':').pop()}.jsonl`), 'a');
      try {
        writeSync(fd, `${JSON.stringify(msg)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Takes a message out of a queue (as SQS DeleteMessage after a redrive); false if it was not there. */
  remove(arn: string, messageId: string): boolean {
    const list = this.messages.get(arn) ?? [];
    const i = list.findIndex((m) => m.messageId === messageId);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** The ARNs of the queues that hold messages. */
  arns(): string[] {
    return [...this.messages.keys()];
  }

  /** The messages of one queue, or of every queue. */
  list(arn?: string): QueueMessage[] {
    return arn ? [...(this.messages.get(arn) ?? [])] : [...this.messages.values()].flat();
  }
}
