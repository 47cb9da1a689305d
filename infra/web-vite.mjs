// Builds the staff app with Vite into a folder: `node infra/web-vite.mjs <webDir> <outDir>`.
// Run by buildWebApp (infra/web-build.ts) in a child process, since CDK's synth is synchronous.
// Plain JavaScript so that it runs under Node without a TypeScript loader.
import { join, resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { build } from 'vite';

const [webArg, outArg] = process.argv.slice(2);
if (!webArg || !outArg) throw new Error('usage: node infra/web-vite.mjs <webDir> <outDir>');
const webDir = resolve(webArg);
const outDir = resolve(outArg);

await build({
  configFile: false,
  root: webDir,
  base: '/',
  logLevel: 'warn',
  publicDir: join(webDir, 'public'),
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir,
    emptyOutDir: true,
    // The CSP allows scripts from the origin only: no polyfill, no inlined assets (data: URLs).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { input: { index: join(webDir, 'index.html'), legacy: join(webDir, 'legacy.html') } },
  },
});
