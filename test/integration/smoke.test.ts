import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { smoke } from '../../scripts/smoke.ts';
import { startTestNetwork } from '../support/network.ts';

const run = promisify(execFile);
let network: LocalNetwork;

beforeAll(async () => {
  network = await startTestNetwork();
});

afterAll(async () => {
  await network?.stop();
});

describe('npm run smoke against the local network', () => {
  it('registers, checks in, books, and sees the check-in counted in the national report', async () => {
    const result = await smoke({
      hubUrl: network.url,
      nationalUrl: network.url,
      hub: 'ostersund',
      staffToken: await network.token('staff', 'ostersund'),
      nationalToken: await network.token('national'),
      timeoutMs: 30_000,
    });
    expect(result.checkInsAfter).toBe(result.checkInsBefore + 1);
    expect(result.bookingId).toMatch(/.+/);
  }, 60_000);

  it('runs as a command with --url, signing tokens with the local identity provider', async () => {
    const out = await run(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['scripts/smoke.ts', '--url', network.url, '--hub', 'boden', '--data-dir', join(inject('dataDir'), 'data'), '--timeout', '30'], { timeout: 60_000 });
    expect(out.stdout).toMatch(/checked in: visit/);
    expect(out.stdout).toMatch(/smoke: passed/);
  }, 70_000);

  it('says what it needs when given neither --url nor --stage, and when a stage is asked for without AWS credentials', async () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const usage = await run(tsx, ['scripts/smoke.ts'], { timeout: 30_000 }).catch((e) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--stage <stage>.*--setup/);
    const noCredentials = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'samverkan-no-such-profile', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const err = await run(tsx, ['scripts/smoke.ts', '--stage', 'dev'], { timeout: 30_000, env: noCredentials }).catch((e) => e);
    expect(err.code, err.stderr).toBe(2);
    expect(err.stderr).toMatch(/no AWS credentials for stage dev/);
    for (const [args, message] of [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--url', 'notaurl'], /--url: the local network's address/],
      [['--url', 'http://127.0.0.1:1', '--timeout', 'x'], /--timeout: whole seconds/],
    ] as const) {
      const bad = await run(tsx, ['scripts/smoke.ts', ...args], { timeout: 30_000 }).catch((e) => e);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr, args.join(' ')).toMatch(message);
    }
  }, 60_000);
});
