/**
 * `npm run --silent token -- --role staff --hub umea` prints a JWT for the local network,
 * signed by the local identity provider's key in `.data/local-idp/` and verified by the
 * API exactly like a Cognito token (issuer, audience, expiry, groups).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../infra/constructs/function.ts';
import { loadIdp, type Role } from './idp.ts';

const { values } = parseArgs({
  options: { role: { type: 'string' }, hub: { type: 'string' }, subject: { type: 'string' }, email: { type: 'string' }, 'expires-in': { type: 'string' }, 'data-dir': { type: 'string' } },
});
const roles: Role[] = ['staff', 'national', 'researcher'];
const role = values.role as Role;
if (!roles.includes(role) || (role === 'staff' && !values.hub)) {
  console.error('Usage: npm run --silent token -- --role staff|national|researcher [--hub <hubId>] [--expires-in <seconds>]\n(staff tokens need --hub)');
  process.exit(2);
}
const idp = await loadIdp(join(values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(ROOT, '.data'), 'local-idp'));
console.log(
  await idp.sign({
    role,
    ...(values.hub ? { hub: values.hub } : {}),
    ...(values.subject ? { subject: values.subject } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(values['expires-in'] ? { expiresInSeconds: Number(values['expires-in']) } : {}),
  }),
);
