// A small stand-in for the unit runtime, installed into a slot as a release's payload (with a
// release.json naming how it behaves): it links to pitwall-boot like the real runtime (ready,
// beats with GNSS counts), serves GET /v1/info and POST /update on loopback, and runs the real
// update agent (from the built device-firmware-ts named by PITWALL_DEVICE_DIST).
//   behavior: good | crash (exits at start) | hang (blocks its event loop after ready) | no-gnss
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const release = JSON.parse(readFileSync(join(here, 'release.json'), 'utf8'));
const dist = process.env.PITWALL_DEVICE_DIST;
const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1];
const slot = process.env.PITWALL_SLOT;
const say = (e) => process.stdout.write(`${JSON.stringify({ runtime: e.runtime, slot, version: release.version, ...e })}\n`);

if (release.behavior === 'crash') {
  say({ runtime: 'crashing' });
  throw new Error(`release ${release.version} crashes at start`);
}

const load = (m) => import(pathToFileURL(join(dist, m)).href);
const { linkToLauncher } = await load('update/boot-link.js');
const noop = () => {};
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, child: () => silentLogger };

let link = null;
// The agent (and the schemas behind it) loads on first use: the stand-in starts as fast as node does.
let agentLoaded = null;
const agent = () =>
  (agentLoaded ??= (async () => {
    const { BootRecordStore } = await load('update/boot-record-store.js');
    const { UpdateAgent } = await load('update/update-state-runner.js');
    const { directoryUpdate } = await load('update/slot-installer.js');
    const a = new UpdateAgent({
      store: new BootRecordStore(dataDir, silentLogger),
      log: silentLogger,
      booted: slot ?? null,
      reboot: () => link?.requestReboot(),
      onState: (state) => say({ runtime: 'state', state }),
    });
    return { agent: a, directoryUpdate };
  })());

const started = performance.now();
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === '/v1/info') return res.end(JSON.stringify({ version: release.version, slot }));
  if (req.method === 'GET' && url.pathname === '/v1/update') return void agent().then(({ agent: a }) => a.status().then((s) => res.end(JSON.stringify(s))));
  if (req.method === 'POST' && url.pathname === '/update') {
    const from = url.searchParams.get('from');
    const version = url.searchParams.get('version');
    agent().then(({ agent: a, directoryUpdate }) => a.run(directoryUpdate(from, { version, entry: 'runtime.mjs' }))).then(
      () => say({ runtime: 'update-done' }),
      (err) => say({ runtime: 'update-failed', error: err.message }),
    );
    res.statusCode = 202;
    return res.end('{}');
  }
  res.statusCode = 404;
  res.end('{}');
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  link = linkToLauncher({
    apiUrl: `http://127.0.0.1:${port}/v1/info`,
    beatMs: 100,
    // A receiver giving 10 fixes a second, or (no-gnss) one attached that never gives any.
    gnss: () => ({ attached: true, fixes: release.behavior === 'no-gnss' ? 0 : Math.floor((performance.now() - started) / 100) }),
  });
  say({ runtime: 'ready', apiPort: port });
  if (release.behavior === 'hang') {
    setTimeout(() => {
      say({ runtime: 'hanging' });
      for (;;);
    }, 200);
  }
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
