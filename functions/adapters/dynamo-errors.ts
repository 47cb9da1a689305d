import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** The cancellation reason codes of a failed transaction, one per item ('None' where it was fine). */
export function cancellationCodes(e: unknown): string[] | undefined {
  if (e instanceof TransactionCanceledException || (e as { name?: string })?.name === 'TransactionCanceledException') {
    return ((e as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  }
  return undefined;
}

/**
 * Runs a transactional write, retrying when DynamoDB cancels it for a conflicting concurrent
 * transaction (TransactionConflict), which the SDK does not retry by itself. Any other
 * failure is rethrown unchanged.
 */
export async function withConflictRetry<T>(write: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      const codes = cancellationCodes(e);
      const conflicted = codes?.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
      if (!conflicted || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(500, 10 * 2 ** attempt)));
    }
  }
}
