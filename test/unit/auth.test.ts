import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdp, type LocalIdp } from '../../local/idp.ts';
import { createVerifier } from '../../functions/shared/auth.ts';
import { ApiError } from '../../functions/shared/errors.ts';

let idp: LocalIdp;
let server: Server;
let verify: ReturnType<typeof createVerifier>;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  idp = await loadIdp(mkdtempSync(join(tmpdir(), 'auth-idp-')));
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(idp.jwks)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  verify = createVerifier({ issuer: idp.issuer, audience: idp.audience, jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function rejection(token: string): Promise<ApiError> {
  const e = await verify(`Bearer ${token}`).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('token issue time', () => {
  it('accepts a token issued now, and one issued within the clock skew allowance (60 s)', async () => {
    await expect(verify(`Bearer ${await idp.sign({ role: 'national' })}`)).resolves.toMatchObject({ national: true });
    await expect(verify(`Bearer ${await idp.sign({ role: 'national', issuedAt: now() + 30 })}`)).resolves.toMatchObject({ national: true });
  });

  it('rejects a token whose iat lies 10 minutes in the future with 401 naming the claim', async () => {
    const err = await rejection(await idp.sign({ role: 'national', issuedAt: now() + 600 }));
    expect(err.status).toBe(401);
    expect(err.message).toContain('"iat"');
  });

  it('still rejects an expired token as expired', async () => {
    const expired = await idp.sign({ role: 'national', issuedAt: now() - 7200, expiresInSeconds: 3600 });
    expect((await rejection(expired)).message).toMatch(/expired/);
  });
});
