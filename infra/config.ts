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
 */
export interface AppConfig {
  stage: string;
  names: StageNames;
  regions: string[];
  region: string;
  alarmEmail?: string;
  mailFrom: string;
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
  return { stage, names, regions, region, ...(alarmEmail ? { alarmEmail } : {}), mailFrom };
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
