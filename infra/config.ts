import type { Node } from 'constructs';
import { DEFAULT_STAGE, stageNames, type StageNames } from './names.ts';

/** Where the stacks may live when nothing else is configured: Stockholm. */
export const DEFAULT_REGION = 'eu-north-1';

/**
 * The deployment configuration of the app, read from the CDK context (`cdk.json` or `-c`):
 *
 * - `stage` — `prod` (default) or e.g. `dev`; part of every stack and physical name.
 * - `samverkan:regions` — the regions data may live in (default `["eu-north-1"]`); a stack or
 *   hub file naming any other region fails synthesis.
 * - `samverkan:region` — the region of the national stack and of hubs without their own
 *   account (default the first allowed region).
 * - `samverkan:alarmEmail` — the address subscribed to the alarm topic (none: topic only).
 * - `samverkan:mailFrom` — the sender of every e-mail (Cognito and notifications), verified in SES.
 * - `samverkan:hubApiDomains` — `{ "<hubId>": "<apiId>.execute-api.<region>.amazonaws.com" }`: where the
 *   one origin (CloudFront) sends `/api/hubs/<hubId>/*`; the hub stack's `HttpUrl` output, known once
 *   the hub is deployed (docs/operations.md). A hub missing here gets a synth warning and no route.
 * - `samverkan:authDomainPrefix` — the Cognito managed-login domain prefix (default
 *   `<stage prefix>-<account id>`, unique per region): `https://<prefix>.auth.<region>.amazoncognito.com`.
 */
export interface AppConfig {
  stage: string;
  names: StageNames;
  regions: string[];
  region: string;
  alarmEmail?: string;
  mailFrom: string;
  hubApiDomains: Record<string, string>;
  authDomainPrefix?: string;
}

/** A hub API's host name as CloudFront takes it as an origin: no scheme, no path. */
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Cognito's rule for a domain prefix: lower-case letters, digits and hyphens, not starting or ending with a hyphen; no reserved words. */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Reads `samverkan:hubApiDomains`, accepting a URL (the `HttpUrl` output) and keeping its host. */
function readHubApiDomains(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('Context "samverkan:hubApiDomains" must be an object of hub id to API domain, e.g. {"umea": "abc123.execute-api.eu-north-1.amazonaws.com"}');
  const out: Record<string, string> = {};
  for (const [hubId, v] of Object.entries(value as Record<string, unknown>)) {
    const host = String(v).trim().replace(/^https:\/\//, '').replace(/\/+$/, '').toLowerCase();
    if (!HOST.test(host)) throw new Error(`Context "samverkan:hubApiDomains" names no valid domain for hub "${hubId}": "${String(v)}" (use the host of the hub stack's HttpUrl output, e.g. abc123.execute-api.eu-north-1.amazonaws.com)`);
    out[hubId] = host;
  }
  return out;
}

/** The configured sender when none is set. */
export const DEFAULT_MAIL_FROM = 'samverkan <noreply@samverkan.se>';

/** Reads and checks the configuration; throws a clear error on a bad stage or region. */
export function readConfig(node: Node): AppConfig {
  const stage = String(node.tryGetContext('stage') ?? DEFAULT_STAGE);
  const names = stageNames(stage);
  const rawRegions = node.tryGetContext('samverkan:regions') ?? [DEFAULT_REGION];
  const regions = (typeof rawRegions === 'string' ? rawRegions.split(',') : (rawRegions as string[])).map((r) => String(r).trim()).filter(Boolean);
  if (regions.length === 0) throw new Error('Context "samverkan:regions" lists no region: name at least one, e.g. ["eu-north-1"]');
  const region = String(node.tryGetContext('samverkan:region') ?? regions[0]);
  checkRegion(region, regions, 'context "samverkan:region" (the national stack)');
  const alarmEmail = node.tryGetContext('samverkan:alarmEmail') as string | undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) throw new Error(`Context "samverkan:alarmEmail" is not an e-mail address: "${alarmEmail}"`);
  const mailFrom = String(node.tryGetContext('samverkan:mailFrom') ?? DEFAULT_MAIL_FROM);
  const hubApiDomains = readHubApiDomains(node.tryGetContext('samverkan:hubApiDomains'));
  const authDomainPrefix = node.tryGetContext('samverkan:authDomainPrefix') as string | undefined;
  if (authDomainPrefix !== undefined && (!DOMAIN_PREFIX.test(authDomainPrefix) || /aws|amazon|cognito/.test(authDomainPrefix))) {
    throw new Error(`Context "samverkan:authDomainPrefix" "${authDomainPrefix}" is not a Cognito domain prefix: lower-case letters, digits and hyphens, at most 63, without "aws", "amazon" or "cognito"`);
  }
  return { stage, names, regions, region, ...(alarmEmail ? { alarmEmail } : {}), mailFrom, hubApiDomains, ...(authDomainPrefix ? { authDomainPrefix } : {}) };
}

/** Fails, naming who asked for it, when a region is not among the allowed ones. */
export function checkRegion(region: string, regions: string[], who: string): void {
  if (!regions.includes(region)) {
    throw new Error(`Region "${region}" of ${who} is not allowed: data stays in ${regions.join(', ')} (context "samverkan:regions" in cdk.json lists the allowed regions)`);
  }
}

/** The sender's address and domain from `Name <address@domain>` or a bare address. */
export function mailSender(mailFrom: string): { address: string; name?: string; domain: string } {
  const m = /^\s*(?:(.*?)\s*<([^>]+)>|([^<>\s]+))\s*$/.exec(mailFrom);
  const address = (m?.[2] ?? m?.[3] ?? '').trim();
  const domain = /@(.+)$/.exec(address)?.[1];
  if (!domain) throw new Error(`Context "samverkan:mailFrom" is not a sender address: "${mailFrom}"`);
  const name = m?.[1]?.trim();
  return { address, domain, ...(name ? { name } : {}) };
}
