// Builds the UI side after `tsc -b`: the renderer bundle, the browser-mode bridge and the
// Electron preload. Usage: node scripts/build-ui.mjs [--watch]
import { build, context } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => `${root}${p}`;
const watch = process.argv.includes('--watch');

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none', target: 'es2022' };
const builds = [
  {
    ...common,
    entryPoints: { app: at('renderer/src/main.tsx') },
    outdir: at('renderer/dist'),
    platform: 'browser',
    format: 'esm',
    jsx: 'automatic',
    minify: !watch,
    define: { 'process.env.NODE_ENV': JSON.stringify(watch ? 'development' : 'production') },
  },
  {
    ...common,
    entryPoints: { bridge: at('preload/src/browser-bridge.ts') },
    outdir: at('renderer/dist'),
    platform: 'browser',
    format: 'iife',
    minify: !watch,
  },
  {
    ...common,
    entryPoints: [at('preload/src/electron-preload.ts')],
    outfile: at('preload/dist/electron-preload.cjs'),
    // Sandboxed preloads are CommonJS and may require only 'electron'.
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  },
];

await rm(at('renderer/dist'), { recursive: true, force: true });
await rm(at('preload/dist'), { recursive: true, force: true });
await mkdir(at('renderer/dist'), { recursive: true });
await copyFile(at('renderer/index.html'), at('renderer/dist/index.html'));
await copyFile(at('renderer/favicon.svg'), at('renderer/dist/favicon.svg'));
if (watch) {
  for (const options of builds) await (await context(options)).watch();
  console.error('build-ui: watching renderer/ and preload/');
} else {
  await Promise.all(builds.map((options) => build(options)));
}
