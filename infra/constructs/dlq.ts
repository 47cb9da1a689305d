import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { stackKey } from './kms.ts';

/** Every dead-letter queue made by {@link deadLetterQueue}, for the alarms and the dashboards. */
export const DLQ_TAG = 'samverkan:dlq';

/**
 * A dead-letter queue: encrypted with the stack's key, TLS only, kept 14 days (the SQS maximum)
 * for redrive. `redriveTo` says where `npm run redrive` sends its messages back (recorded on the
 * queue's metadata and in docs/operations.md).
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
