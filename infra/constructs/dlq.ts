import { Aws, Duration, Tags, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { stackKey } from './kms.ts';

/** Every dead-letter queue made by {@link deadLetterQueue}, for the alarms and the dashboards. */
export const DLQ_TAG = 'samverkan:dlq';

/**
 * A dead-letter queue: encrypted with the stack's key, TLS only, kept 14 days (the SQS maximum)
 * for redrive; {@link redriveTo} tags it with where `npm run redrive` sends its messages back.
 */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: stackKey(scope),
    dataKeyReuse: Duration.hours(1),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  queue.node.addMetadata(DLQ_TAG, id);
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue; it has none of its own.' });
  return queue;
}

/** The dead-letter queues made in a scope (a stack), found by their metadata. */
export function deadLetterQueuesOf(scope: Construct): Queue[] {
  return scope.node.findAll().filter((c): c is Queue => c instanceof Queue && c.node.metadata.some((m) => m.type === DLQ_TAG));
}

/** Tag keys read by `npm run redrive` (scripts/redrive.ts). */
export const REDRIVE_TAGS = { kind: 'samverkan:redrive-kind', target: 'samverkan:redrive-target' } as const;

/**
 * Where a DLQ's messages go back to: a function (invoked asynchronously with each message as its
 * event), an event bus (each message is an event, put again), or a pipe's (the message names a
 * stream batch; its outbox events are read back and put on the bus the target names).
 */
export function redriveTo(queue: Queue, kind: 'lambda' | 'event-bus' | 'pipe', target: string): void {
  Tags.of(queue).add(REDRIVE_TAGS.kind, kind);
  Tags.of(queue).add(REDRIVE_TAGS.target, target);
}

/**
 * The ARN of a function by its explicit name: a DLQ tagged with its function's attribute would
 * make the queue and the function depend on each other (the function names its DLQ).
 */
export const functionArnByName = (name: string) => `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:${name}`;
