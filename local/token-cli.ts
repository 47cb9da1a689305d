/**
 * `npm run --silent token -- --role staff --hub umea` prints a JWT for the local network,
 * signed by the local identity provider's key in `.data/local-idp/` and verified by the
 * API exactly like a Cognito token (issuer, audience, expiry, groups).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../infra/constructs/function.ts';
import { loadAllHubs } from '../functions/shared/hub-config.ts';
import { loadIdp, type Role } from './idp.ts';

const USAGE = 'Usage: npm run --silent token -- --role staff|national|researcher [--hub <hubId>] [--expires-in <seconds>]\n(staff tokens need --hub, one of the hubs in hubs/)';
const fail = (message: string): never => {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
};
const options = { role: { type: 'string' }, hub: { type: 'string' }, subject: { type: 'string' }, email: { type: 'string' }, 'expires-in': { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } } as const;
const values = (() => {
  try {
    return parseArgs({ options }).values;
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const roles: Role[] = ['staff', 'national', 'researcher'];
const role = values.role as Role;
if (!roles.includes(role)) fail(`--role: one of ${roles.join(', ')}`);
if (role === 'staff' && !values.hub) fail('--hub: a staff token needs the hub');
const hubIds = loadAllHubs().map((h) => h.id);
if (values.hub && !hubIds.includes(values.hub)) fail(`--hub: no hub "${values.hub}" (the hubs: ${hubIds.join(', ')})`);
const expires = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
// Cognito gives ID tokens at most a day; shorter ones (down to a second) are for tests of expiry.
if (expires !== undefined && !(Number.isInteger(expires) && expires >= 1 && expires <= 86_400)) fail('--expires-in: whole seconds from 1 to 86400 (a day, the most Cognito gives an ID token)');
const idp = await loadIdp(join(values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(ROOT, '.data'), 'local-idp'));
console.log(
  await idp.sign({
    role,
    ...(values.hub ? { hub: values.hub } : {}),
    ...(values.subject ? { subject: values.subject } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(expires !== undefined ? { expiresInSeconds: expires } : {}),
  }),
);
