import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

const KEY_ID = 'StackKey';

/**
 * The one customer-managed KMS key of a stack (created on first use): yearly rotation,
 * retained, and a key policy for the services that encrypt with it on their own behalf —
 * CloudWatch Logs (this stack's log groups), EventBridge (dead-letter queues of rule targets;
 * the buses add their own statement), CloudWatch (alarms publishing to the encrypted topic).
 * Roles of the stack use it through IAM grants (the default root statement delegates to IAM).
 */
export function stackKey(scope: Construct): Key {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(KEY_ID) as Key | undefined;
  if (existing) return existing;
  const key = new Key(stack, KEY_ID, {
    description: `samverkan: encrypts the tables, buses, archive, queues, topic, log groups and buckets of ${stack.stackName}`,
    enableKeyRotation: true,
    alias: `alias/${stack.stackName}`,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // CDK's key grants name whole action families; the resource is always this one key.
  Validations.of(stack).acknowledge(
    { id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: 'Key grants (GenerateDataKey, GenerateDataKeyWithoutPlaintext) on the stack’s own key only.' },
    { id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: 'Key grants (ReEncryptFrom/To) on the stack’s own key only.' },
  );
  const sourceAccount = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } };
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchLogsOfThisStack',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  );
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'EventBridgeToDeadLetterQueues',
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: sourceAccount,
    }),
  );
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsToTopic',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: sourceAccount,
    }),
  );
  return key;
}

/**
 * Lets other accounts (hubs in their operators' accounts) use the key through one service only
 * (`kms:ViaService`), e.g. DynamoDB for the national network table.
 */
export function allowAccountsViaService(key: Key, accounts: string[], service: string, actions: string[]): void {
  if (accounts.length === 0) return;
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: `HubAccountsVia${service.replace(/[^A-Za-z]/g, '')}`,
      principals: accounts.map((a) => new AccountPrincipal(a)),
      actions,
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
    }),
  );
}
