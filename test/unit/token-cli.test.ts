import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOCAL_ISSUER } from '../../local/idp.ts';
import { LOCAL } from '../../local/cfn.ts';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

describe('npm run token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-'));

  it('prints a Cognito-shaped ID token with the staff group of the hub', async () => {
    const { stdout } = await run(tsx, ['local/token-cli.ts', '--role', 'staff', '--hub', 'umea', '--data-dir', dataDir]);
    const token = stdout.trim();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: LOCAL_ISSUER, aud: LOCAL.userPoolClientId, token_use: 'id', 'cognito:groups': ['staff-umea'] });
    expect(claims.exp! - claims.iat!).toBe(8 * 3600);
  });

  it('gives national and researcher tokens their group', async () => {
    for (const role of ['national', 'researcher']) {
      const { stdout } = await run(tsx, ['local/token-cli.ts', '--role', role, '--data-dir', dataDir]);
      expect(decodeJwt(stdout.trim())['cognito:groups']).toEqual([role]);
    }
  });

  it('refuses a staff token without a hub, and unknown roles', async () => {
    await expect(run(tsx, ['local/token-cli.ts', '--role', 'staff', '--data-dir', dataDir])).rejects.toMatchObject({ code: 2 });
    await expect(run(tsx, ['local/token-cli.ts', '--role', 'admin', '--data-dir', dataDir])).rejects.toMatchObject({ code: 2 });
    // A hub that is none of hubs/, an unknown option and a token for years are named, not a stack trace or a token.
    await expect(run(tsx, ['local/token-cli.ts', '--role', 'staff', '--hub', 'nowhere', '--data-dir', dataDir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--hub: no hub "nowhere"') });
    await expect(run(tsx, ['local/token-cli.ts', '--bogus', '--data-dir', dataDir])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^Unknown option '--bogus'\nUsage:/) });
    await expect(run(tsx, ['local/token-cli.ts', '--role', 'national', '--expires-in', '99999999', '--data-dir', dataDir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--expires-in') });
    await expect(run(tsx, ['local/token-cli.ts', '--help'])).resolves.toMatchObject({ stdout: expect.stringContaining('Usage:') });
  });
});
