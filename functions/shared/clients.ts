import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traceClient } from './observability.ts';

const documentClients = new Map<string, DynamoDBDocumentClient>();

/**
 * The DynamoDB document client, created once per container and region (endpoint from
 * AWS_ENDPOINT_URL_DYNAMODB locally). Without a region, the function's own; a hub reaches the
 * national network table with a client in the national region (`NETWORK_TABLE_REGION`).
 */
export function dynamo(region?: string): DynamoDBDocumentClient {
  const key = region ?? '';
  let client = documentClients.get(key);
  if (!client) {
    client = DynamoDBDocumentClient.from(traceClient(new DynamoDBClient({ maxAttempts: 5, ...(region ? { region } : {}) })), {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    });
    documentClients.set(key, client);
  }
  return client;
}

/** Reads a required environment variable or fails at cold start with its name. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
