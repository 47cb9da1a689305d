/**
 * `npm run smoke` — after a deploy (or against the local network), proves the slice end to end:
 * registers an organisation and a member at a hub, checks the member in, books a desk, and waits
 * until the national report counts the check-in. Exits 0 when it does, 1 with the failed step.
 *
 *   npm run smoke -- --url http://127.0.0.1:3000 [--hub umea]              (local network, `npm start`)
 *   npm run smoke -- --stage dev [--hub umea] [--region eu-north-1] [--setup]  (a deployed stage)
 *
 * Against AWS it signs in a Cognito test user by itself (scripts/smoke-aws.ts: made once with
 * `--setup`, kept in Secrets Manager) and calls the stage's one origin (the national stack's
 * `WebUrl`; `--hub-url`/`--national-url` override it). Locally the tokens come from the local
 * identity provider (`.data/local-idp/`, or --data-dir). See docs/operations.md § Smoke test.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface SmokeOptions {
  hubUrl: string;
  nationalUrl: string;
  hub: string;
  staffToken: string;
  nationalToken: string;
  /** How long to wait for the national report (default 120 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface SmokeResult {
  memberId: string;
  visitId: string;
  bookingId: string;
  checkInsBefore: number;
  checkInsAfter: number;
}

const stockholmDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(d);

// biome-ignore lint/suspicious/noExplicitAny: API responses are read field by field
type Json = any;

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base.replace(/\/$/, '')}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function expectStatus(step: string, res: { status: number; json: unknown }, ...ok: number[]) {
  if (!ok.includes(res.status)) throw new Error(`smoke: ${step} answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
}

/** Runs the smoke test; throws naming the step that failed. */
export async function smoke(o: SmokeOptions): Promise<SmokeResult> {
  const log = o.log ?? (() => {});
  const hubApi = (method: string, path: string, body?: unknown) => call(o.hubUrl, o.staffToken, method, `/api/hubs/${o.hub}${path}`, body);
  const today = stockholmDate(new Date());
  const report = async () => {
    const res = await call(o.nationalUrl, o.nationalToken, 'GET', `/api/national/reports?from=${today}&to=${today}&hub=${o.hub}`);
    expectStatus('national report', res, 200);
    return Number(res.json.totals?.checkIns ?? 0);
  };
  const tag = `smoke-${Date.now().toString(36)}`;
  const checkInsBefore = await report();
  log(`national report: ${checkInsBefore} check-ins at ${o.hub} today`);

  const org = await hubApi('POST', '/organisations', { name: `Röktest ${tag}`, type: 'municipality' });
  expectStatus('register organisation', org, 200, 201);
  const member = await hubApi('POST', '/members', { name: `Röktest ${tag}`, email: `${tag}@smoke.invalid`, organisationId: org.json.id, membership: 'member' });
  expectStatus('register member', member, 201);
  log(`registered member ${member.json.id}`);

  const visit = await hubApi('POST', '/check-ins', { memberId: member.json.id });
  expectStatus('check in', visit, 200, 201);
  log(`checked in: visit ${visit.json.id}`);

  // Book the first free desk slot of the coming days.
  let bookingId: string | undefined;
  for (let day = 1; day <= 14 && !bookingId; day++) {
    const date = stockholmDate(new Date(Date.now() + day * 86_400_000));
    const avail = await hubApi('GET', `/availability?date=${date}`);
    expectStatus('availability', avail, 200);
    for (const r of avail.json.resources ?? []) {
      if (r.type !== 'desk' && r.type !== 'desk-pool') continue;
      const slot = (r.slots ?? []).find((s: { available: number }) => s.available > 0);
      if (!slot) continue;
      const booking = await hubApi('POST', '/bookings', { resourceId: r.id, memberId: member.json.id, start: slot.start, end: slot.end });
      expectStatus('book', booking, 201);
      bookingId = booking.json.id;
      log(`booked ${r.id} ${slot.start} – ${slot.end}: booking ${bookingId}`);
      break;
    }
  }
  if (!bookingId) throw new Error('smoke: book: no free desk in the next 14 days');

  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let checkInsAfter = await report();
  while (checkInsAfter < checkInsBefore + 1) {
    if (Date.now() > deadline) throw new Error(`smoke: the national report still counts ${checkInsAfter} check-ins (expected ${checkInsBefore + 1}) after ${(o.timeoutMs ?? 120_000) / 1000} s: look at the outbox pipe, the forward rule and the reporting consumer (docs/operations.md)`);
    await new Promise((r) => setTimeout(r, 1000));
    checkInsAfter = await report();
  }
  log(`national report: ${checkInsAfter} check-ins — the check-in crossed hub bus and national bus`);
  return { memberId: member.json.id, visitId: visit.json.id, bookingId, checkInsBefore, checkInsAfter };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const usage = `Usage: npm run smoke -- --url http://127.0.0.1:3000              (the local network, npm start)
       npm run smoke -- --stage <stage> [--hub umea] [--region eu-north-1] [--setup]
         (a deployed stage, with AWS credentials; --setup once makes its test user: docs/operations.md § Smoke test)`;
  const parsed = (() => {
    try {
      return parseArgs({
    options: {
      url: { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string', default: process.env.AWS_REGION ?? 'eu-north-1' },
      setup: { type: 'boolean', default: false },
      'hub-url': { type: 'string' },
      'national-url': { type: 'string' },
      hub: { type: 'string', default: 'umea' },
      'data-dir': { type: 'string' },
      timeout: { type: 'string', default: '120' },
    },
      });
    } catch (e) {
      console.error(`smoke: ${(e as Error).message}\n${usage}`);
      return process.exit(2);
    }
  })();
  const { values } = parsed;
  const badOption = (message: string) => {
    console.error(`smoke: ${message}\n${usage}`);
    process.exit(2);
  };
  if (values.url !== undefined && !/^https?:\/\/[^/\s]+/.test(values.url)) badOption(`--url: the local network's address, as npm start prints it (e.g. http://127.0.0.1:3000; given "${values.url}")`);
  if (!/^[1-9]\d*$/.test(values.timeout)) badOption(`--timeout: whole seconds (given "${values.timeout}")`);
  const hub = values.hub;
  let options: SmokeOptions;
  if (values.url) {
    // The local network: one URL for every API, tokens from the local identity provider.
    const { loadIdp } = await import('../local/idp.ts');
    const { ROOT } = await import('../infra/constructs/function.ts');
    const idp = await loadIdp(join(values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(ROOT, '.data'), 'local-idp'));
    options = { hubUrl: values.url, nationalUrl: values.url, hub, staffToken: await idp.sign({ role: 'staff', hub }), nationalToken: await idp.sign({ role: 'national' }) };
  } else if (values.stage) {
    // A deployed stage: the URLs and the pool from the national stack, the test user from Secrets Manager.
    const stage = values.stage;
    const region = values.region;
    const [{ CloudFormationClient }, { CognitoIdentityProviderClient }, { SecretsManagerClient }, aws] = await Promise.all([
      import('@aws-sdk/client-cloudformation'),
      import('@aws-sdk/client-cognito-identity-provider'),
      import('@aws-sdk/client-secrets-manager'),
      import('./smoke-aws.ts'),
    ]);
    try {
      const outputs = await aws.stageOutputs(new CloudFormationClient({ region }), stage);
      const cognito = new CognitoIdentityProviderClient({ region });
      const secrets = new SecretsManagerClient({ region });
      let user = values.setup ? undefined : await aws.loadSmokeUser(secrets, stage);
      let usedStep: number | undefined;
      if (values.setup) {
        ({ user, usedStep } = await aws.setUpSmokeUser(cognito, secrets, outputs, stage, hub));
        console.log(`smoke: test user ${user.username} set up (groups staff-${hub}, national); kept in secret ${aws.smokeSecretName(stage)}`);
      }
      if (!user) throw Object.assign(new Error(`smoke: stage ${stage} has no test user (secret ${aws.smokeSecretName(stage)}): run once with --setup (docs/operations.md § Smoke test)`), { exitCode: 2 });
      const token = await aws.signIn(cognito, outputs, user, usedStep);
      console.log(`smoke: signed in as ${user.username}`);
      options = { hubUrl: values['hub-url'] ?? outputs.webUrl, nationalUrl: values['national-url'] ?? outputs.webUrl, hub, staffToken: token, nationalToken: token };
    } catch (e) {
      const err = e as Error & { exitCode?: number };
      if (err.name === 'CredentialsProviderError') {
        console.error(`smoke: no AWS credentials for stage ${stage} in ${region} (${err.message}): sign in with the AWS CLI first (docs/operations.md § Smoke test)`);
        process.exit(2);
      }
      console.error(err.message);
      process.exit(err.exitCode ?? 1);
    }
  } else {
    console.error(usage);
    process.exit(2);
  }
  try {
    await smoke({ ...options, timeoutMs: Number(values.timeout) * 1000, log: (l) => console.log(l) });
    console.log(`smoke${values.stage ? ` (${values.stage})` : ''}: passed`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
