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

  it('says what it needs when neither --url nor the AWS URLs and tokens are given', async () => {
    const err = await run(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['scripts/smoke.ts', '--stage', 'dev'], { timeout: 30_000, env: { ...process.env, SMOKE_STAFF_TOKEN: '', SMOKE_NATIONAL_TOKEN: '' } }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/SMOKE_STAFF_TOKEN/);
  }, 40_000);
});
