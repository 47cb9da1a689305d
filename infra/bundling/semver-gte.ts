/**
 * Stands in for `semver` in the Lambda bundles (an esbuild alias in `infra/constructs/function.ts`).
 * Its only users there, cls-hooked and the X-Ray SDK's AWS SDK v2 patcher, call `semver.gte(version,
 * minimum)` once; the whole library adds 28 KB to every bundle. Compares major.minor.patch numerically
 * (a pre-release or build suffix is ignored).
 */
const parts = (version: string) =>
  (String(version).replace(/^v/, '').split(/[-+]/)[0] ?? '')
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);

export function gte(version: string, minimum: string): boolean {
  const a = parts(version);
  const b = parts(minimum);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}
