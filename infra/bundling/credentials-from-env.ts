/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * `infra/constructs/function.ts`). On Lambda the credentials of the execution role are always in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first link of the
 * SDK's default chain; the rest of the chain (shared ini files, SSO, web identity, IMDS, process) pulls
 * in the STS, SSO and sign-in clients and never runs there. The local runtime and the tests run the
 * sources with the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
