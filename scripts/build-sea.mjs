#!/usr/bin/env node
// Builds the unit runtime as a Node single executable application (SEA):
//   1. esbuild bundles device-firmware-ts/dist/cli.js and its JS dependencies into one CommonJS
//      file (and the hang watchdog's worker into a second one: a worker thread loads a file);
//   2. node --experimental-sea-config makes a blob of it with a V8 code cache;
//   3. postject injects the blob into a copy of this node binary.
// Native addons cannot live inside the binary: they are kept external and copied, with their
// JS loaders, into native/node_modules beside it; the bundle reaches them through
// scripts/sea/native-require.mjs. Files the runtime reads next to its own code (the default
// recording, the track catalogue, package.json's version) are copied to app/ beside the binary
// at the same relative paths they have in this repository.
//
// usage: node scripts/build-sea.mjs [--out DIR]   (default: artifacts/sea)
// Needs `npm run build` first. The code cache ties the binary to this node's version and CPU.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Packages with a compiled addon: left out of the bundle, shipped in native/node_modules. */
const NATIVE_PACKAGES = ['@serialport/bindings-cpp'];
/** Files the runtime opens relative to its own module (import.meta.url), shipped under app/. */
const RUNTIME_FILES = ['resources/recordings/everland-aim-solo.nmea', 'resources/tracks/catalog.json'];

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? join(ROOT, 'artifacts', 'sea'));
const work = join(out, 'build');
const binary = join(out, 'pitwall-device');

/**
 * import.meta.url means nothing in a CommonJS bundle: each module's own URL becomes the URL of
 * the same relative path under app/ beside the binary (or beside the bundle when it runs under
 * plain node), so `new URL('../x', import.meta.url)` still finds its file.
 */
const importMetaUrlPlugin = {
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/(device-firmware-ts|protocol)\/dist\/.*\.js$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const rel = relative(ROOT, args.path).split('\\').join('/');
      const imported = `import { appUrl as __appUrl } from ${JSON.stringify(join(ROOT, 'scripts/sea/app-url.mjs'))};\n`;
      return { contents: imported + source.replaceAll('import.meta.url', `__appUrl(${JSON.stringify(rel)})`), loader: 'js' };
    });
  },
};

/** Each native package becomes `module.exports = nativeRequire('<name>')`. */
const nativePlugin = {
  name: 'native-external',
  setup(b) {
    const filter = new RegExp(`^(${NATIVE_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'native' }));
    b.onLoad({ filter: /.*/, namespace: 'native' }, (args) => ({
      contents: `import { nativeRequire } from ${JSON.stringify(join(ROOT, 'scripts/sea/native-require.mjs'))};\nmodule.exports = nativeRequire(${JSON.stringify(args.path)});`,
      resolveDir: ROOT,
      loader: 'js',
    }));
  },
};

async function bundle(entry, outfile) {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [importMetaUrlPlugin, nativePlugin],
  });
}

/** Node's own lookup, without going through "exports" (some packages do not export package.json). */
function findPackageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} not found from ${from}`);
  }
}

/**
 * Copies a package and every runtime dependency it resolves into native/node_modules: a nested
 * node_modules comes along with its parent, a hoisted one is copied to the top.
 */
function copyPackageTree(name, from, seen = new Set()) {
  const dir = findPackageDir(name, from);
  if (seen.has(dir)) return;
  seen.add(dir);
  if (![...seen].some((other) => other !== dir && dir.startsWith(`${other}/node_modules/`))) {
    cpSync(dir, join(out, 'native', 'node_modules', name), { recursive: true });
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (dep !== 'node-addon-api') copyPackageTree(dep, dir, seen); // node-addon-api: headers only
  }
}

function step(label, fn) {
  const t0 = performance.now();
  fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const t0 = performance.now();
await bundle('device-firmware-ts/dist/cli.js', join(work, 'pitwall-device.cjs'));
await bundle('device-firmware-ts/dist/ops/hang-worker.js', join(out, 'app/device-firmware-ts/dist/ops/hang-worker.js'));
console.log(`esbuild: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

step('files beside the binary', () => {
  for (const file of RUNTIME_FILES) {
    mkdirSync(dirname(join(out, 'app', file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(out, 'app', file));
  }
  // Only name and version: no "type": "module", so the worker bundle above loads as CommonJS.
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'device-firmware-ts/package.json'), 'utf8'));
  writeFileSync(join(out, 'app/device-firmware-ts/package.json'), `${JSON.stringify({ name, version })}\n`);
  for (const name of NATIVE_PACKAGES) copyPackageTree(name, join(ROOT, 'device-firmware-ts'));
});

step('SEA blob (with code cache)', () => {
  const config = join(work, 'sea-config.json');
  writeFileSync(config, JSON.stringify({
    main: join(work, 'pitwall-device.cjs'),
    output: join(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
  }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });
});

step('inject (postject)', () => {
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  // postject warns about the ELF ".note.100" sections it cannot parse; harmless
  execFileSync(process.execPath, [postject, binary, 'NODE_SEA_BLOB', join(work, 'sea-prep.blob'), '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'inherit'] });
});
rmSync(work, { recursive: true, force: true });
console.log(`built ${relative(process.cwd(), binary)}`);
