import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type StreamViewType } from 'aws-cdk-lib/aws-dynamodb';
import type { PolicyDocument } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { stackKey } from './kms.ts';

/**
 * A single-table-design DynamoDB table (`pk`/`sk`, TTL on `expiresAt`, optional GSIs named `gsiN` keyed `gsiNpk`/`gsiNsk`) that cannot be lost:
 * on-demand, point-in-time recovery, deletion protection, retained when the stack goes,
 * encrypted with the stack's key.
 */
export function safeTable(scope: Construct, id: string, options: { stream?: StreamViewType; indexes?: string[]; resourcePolicy?: PolicyDocument; tableName?: string } = {}): Table {
  const table = new Table(scope, id, {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    timeToLiveAttribute: 'expiresAt',
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: stackKey(scope),
    ...(options.tableName ? { tableName: options.tableName } : {}),
    ...(options.stream ? { stream: options.stream } : {}),
    ...(options.resourcePolicy ? { resourcePolicy: options.resourcePolicy } : {}),
  });
  for (const name of options.indexes ?? []) {
    table.addGlobalSecondaryIndex({ indexName: name, partitionKey: { name: `${name}pk`, type: AttributeType.STRING }, sortKey: { name: `${name}sk`, type: AttributeType.STRING } });
  }
  return table;
}
