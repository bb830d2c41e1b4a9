// The companion as electron-builder packages it (asar off, a stand-in Electron, no download),
// run in browser mode from the package folder with plain Node, away from the repository:
// the UI is served, the store writer thread opens the database with the packaged SQLite addon,
// the log parse thread starts from the package, and no native addon is loaded from outside it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startReadyProcess, type ReadyProcess } from '../../../../testbed/ready-process.js';
import { buildPackagedCompanion } from '../../helpers/packaged-companion.js';

let work: string;
let app: string;
let companion: ReadyProcess<{ url: string }> | undefined;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'pitwall-package-'));
  const t0 = performance.now();
  app = await buildPackagedCompanion(work);
  console.log(`package laid out in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

after(async () => {
  await companion?.stop();
  await rm(work, { recursive: true, force: true });
});

const addonsIn = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.node')) : [];

test('the package holds the native modules the companion loads', () => {
  // usb 3 keeps its addon in a per-platform package (@node-usb/usb-linux-x64-gnu, ...)
  for (const pkg of ['better-sqlite3', '@serialport/bindings-cpp', '@node-usb']) {
    assert.ok(addonsIn(join(app, 'node_modules', pkg)).length > 0, `${pkg} has its addon inside the package`);
  }
});

test('browser mode runs from the package: UI served, store writer thread on the packaged SQLite', async () => {
  const dataDir = join(work, 'data');
  companion = await startReadyProcess<{ url: string }>(
    [process.execPath, join(app, 'main', 'dist', 'cli.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--no-mdns'],
    { label: 'packaged companion', env: { NODE_OPTIONS: '', NODE_PATH: '' } },
  );
  const page = await fetch(companion.ready.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  // The writer thread answered '#ready' (or serve had failed) with the database open.
  assert.ok(existsSync(join(dataDir, 'companion.sqlite')));
  const mapped = (await readFile(`/proc/${companion.process.pid}/maps`, 'utf8'))
    .split('\n')
    .map((line) => line.slice(line.indexOf('/')))
    .filter((path) => path.endsWith('.node'));
  assert.ok(mapped.some((p) => p.startsWith(join(app, 'node_modules', 'better-sqlite3'))), mapped.join('\n'));
  assert.deepEqual(mapped.filter((p) => !p.startsWith(`${app}/`)), [], 'no addon from outside the package');
});

test('the log parse thread starts from the package', async () => {
  const probe = join(work, 'parse-probe.mjs');
  await writeFile(probe, `
    import { pathToFileURL } from 'node:url';
    const mod = await import(pathToFileURL(process.argv[2]).href);
    const logs = [];
    const thread = new mod.FrameParseThread((m) => logs.push(m));
    const line = JSON.stringify({ seq: 1, t: '2026-01-01T00:00:00.000Z', level: 'info', sub: 'boot', msg: 'hello' });
    const parsed = await thread.parse(new TextEncoder().encode(line + '\\nnot json\\n'), 'unit', 'boot');
    const threadAlive = thread.worker !== null;
    await thread.close();
    console.log(JSON.stringify({ lines: parsed.lines, logs, threadAlive }));
  `);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [probe, join(app, 'node_modules', '@pitwall', 'app', 'dist', 'diagnostics', 'pipelined-ingest.js')],
    { cwd: work, env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: '' } },
  );
  const result = JSON.parse(stdout) as { lines: number; logs: string[]; threadAlive: boolean };
  assert.deepEqual(result.logs, [], 'the thread did not fail over to the ingest thread');
  assert.equal(result.threadAlive, true);
  assert.equal(result.lines, 2);
});
