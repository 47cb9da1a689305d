import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { REPORT_PAGE_HEADERS } from '../../functions/reporting/view.ts';
import { API_CSP, appCsp, COMMON_SECURITY_HEADERS } from '../../infra/security-headers.ts';
import { startTestNetwork } from '../support/network.ts';

/** The local front door sends the same security headers as the one origin on AWS (infra/security-headers.ts). */

let network: LocalNetwork;
beforeAll(async () => {
  network = await startTestNetwork();
}, 120_000);
afterAll(async () => {
  await network?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${network.url}${path}`, { headers });
function expectCommon(res: Response, what: string) {
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) expect(res.headers.get(name), `${what}: ${name}`).toBe(value);
}

describe('security headers of the local runtime', () => {
  it('on the staff app, its script and style, and the consent and survey pages: the app CSP (same-origin scripts and styles only)', async () => {
    // The built app's assets (hashed names, from index.html) and the previous view's page.
    const index = await (await get('/')).text();
    const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    expect((await get('/src/main.tsx')).headers.get('content-type')).toContain('text/html'); // no TypeScript served: the app's page instead
    for (const path of ['/', ...assets, '/legacy.html', '/consent.html', '/consent.js', '/consent.css', '/survey.html', '/survey.js', '/survey.css']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toBe(appCsp());
      expectCommon(res, path);
      await res.arrayBuffer();
    }
    expect(appCsp()).toContain("script-src 'self'");
    expect(appCsp()).toContain("frame-ancestors 'none'");
  });

  it('the pages carry no inline script or style the CSP would refuse', async () => {
    for (const path of ['/', '/legacy.html', '/consent.html', '/survey.html']) {
      const html = await (await get(path)).text();
      expect(html, path).not.toMatch(/<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=/i);
    }
  });

  it('on API responses, successes and errors alike: the API CSP', async () => {
    for (const [path, status] of [['/api/hubs', 200], ['/api/hubs/umea/members', 401], ['/api/nowhere', 404]] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-security-policy'), path).toBe(API_CSP);
      expectCommon(res, path);
      await res.arrayBuffer();
    }
  });

  it('on /config.json and the stand-in OpenID provider’s pages: never framed; a large sign-in form announced with Expect: 100-continue reaches the provider', async () => {
    const config = await get('/config.json');
    expect(config.headers.get('content-security-policy')).toBe(API_CSP);
    expectCommon(config, '/config.json');
    await config.arrayBuffer();
    for (const path of ['/oidc/.well-known/openid-configuration', '/oidc/interaction/unknown']) {
      const res = await get(path);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expectCommon(res, path);
      await res.arrayBuffer();
    }
    // Before, the API's early refusal of announced bodies answered a POST to the provider with 405.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${network.url}/oidc/interaction/unknown/login`, { method: 'POST', headers: { expect: '100-continue', 'content-type': 'application/x-www-form-urlencoded', 'content-length': '21' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('continue', () => req.end('username=x&password=y'));
      req.on('error', reject);
    });
    expect(status).not.toBe(405);
    expect(status).toBeLessThan(500);
  });

  it('a function’s own CSP wins: the report page keeps the one its inline styles need', async () => {
    const res = await get('/api/national/reports/view', { authorization: `Bearer ${await network.token('national')}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(REPORT_PAGE_HEADERS['content-security-policy']);
    expectCommon(res, 'report page');
    expect(await res.text()).toContain('<style>');
  });
});
