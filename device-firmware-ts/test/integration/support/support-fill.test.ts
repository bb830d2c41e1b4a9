import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol';
import type { AuditLog } from '../../../src/identity/audit-log.js';
import type { Gpio } from '../../../src/hal/gpio.js';
import type { Logger } from '../../../src/ops/logger.js';
import { startSupportMode, type SupportMode } from '../../../src/ops/support/support-mode.js';
import { needsRoot } from '../../../../testbed/require-root.js';
import { tempDir } from '../../helpers/paths.js';

// "Support on" answers once the export's sshd listens; the export fills behind it. Turning
// support off while that first fill still runs leaves nothing in the export. A real sshd (root);
// the relay is a closed port (the tunnel keeps retrying), which this test does not need.
let data: { dir: string; cleanup: () => Promise<void> };
let mode: SupportMode | undefined;
let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
const exportFolder = () => join(data.dir, 'srv', 'export');
const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent };

before(async () => {
  if (process.getuid?.() !== 0) return;
  data = await tempDir('support-fill');
  for (const f of ['logs', 'crashes', 'health']) mkdirSync(join(data.dir, f));
  writeFileSync(join(data.dir, 'logs', 'pitwall.log'), '{"msg":"hello"}\n');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(data.dir, 'relay_key')]);
  const hostKey = readFileSync(join(data.dir, 'relay_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  mode = await startSupportMode({
    config: { ...UNIT_CONFIG_DEFAULTS.support, relay: { host: '127.0.0.1', port: 1, user: 'nobody', hostKey, listenPort: 20001 }, exportRoot: join(data.dir, 'srv'), exportPort: 30000 + Math.floor(Math.random() * 10000), exportUser: 'nobody', refreshS: 3600 },
    dataDir: data.dir,
    unitId: 'fill-test',
    audit: { write: async () => true, refuse: () => undefined } as unknown as AuditLog,
    gpio: { setLed: () => undefined, onSwitch: () => () => undefined } as unknown as Gpio,
    log: silent,
    sources: {
      logDir: join(data.dir, 'logs'),
      healthFile: join(data.dir, 'health', 'health.jsonl'),
      crashDir: join(data.dir, 'crashes'),
      // The documents come when the test says so: the fill waits on them.
      documents: async () => (await gate, { unit: { id: 'fill-test' } }),
    },
  });
});

after(async () => {
  release();
  await mode?.close();
  await data?.cleanup();
});

const hold = () => (gate = new Promise<void>((r) => (release = r)));
const within = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what} took over ${ms} ms`)))]);

test('support on answers while the export is still filling; the fill then completes', async (t) => {
  if (!needsRoot(t)) return;
  hold();
  const s = await within(mode!.turnOn(600, null), 15_000, 'support on with the export still filling');
  assert.equal(s.on, true);
  assert.ok(s.exportHostKey, 'the export sshd is up');
  assert.equal(existsSync(join(exportFolder(), 'unit.json')), false, 'the documents are not there yet');
  release();
  for (let i = 0; i < 100 && !existsSync(join(exportFolder(), 'logs', 'pitwall.log')); i++) await sleep(50);
  assert.ok(existsSync(join(exportFolder(), 'unit.json')));
  assert.equal(readFileSync(join(exportFolder(), 'logs', 'pitwall.log'), 'utf8'), '{"msg":"hello"}\n');
  await mode!.turnOff(null);
  assert.deepEqual(readdirSync(exportFolder()), []);
});

test('support off while the first fill still runs: the export is empty afterwards, nothing written after', async (t) => {
  if (!needsRoot(t)) return;
  hold();
  await within(mode!.turnOn(600, null), 15_000, 'support on');
  const off = mode!.turnOff(null);
  await sleep(100);
  release(); // the fill goes on only now, after off was asked
  const s = await within(off, 15_000, 'support off');
  assert.equal(s.on, false);
  await sleep(300);
  assert.deepEqual(readdirSync(exportFolder()), [], 'nothing of the late fill is left in the export');
});
