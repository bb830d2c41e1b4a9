import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { list as listTar } from 'tar';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Routes, supportStatus, type SupportStatus } from '@pitwall/protocol';
import { needsRoot } from '../../../../testbed/require-root.js';
import { bridgeLoopbackPort } from '../../../../testbed/netns-port-bridge.js';
import { startSupportRelay, startSupportUnit, SUPPORT_TEST_USER, type SupportRelay, type SupportUnit } from '../../../../testbed/support-relay.js';
import { https, makeOperator, pairOverSerial } from '../../../../device-firmware-ts/test/helpers/https-client.js';
import { archiveExport } from '../../../src/support/export-archive.js';
import { downloadExportFile, ExportError, listExport, LISTING_MAX_ENTRIES, type ExportAccess } from '../../../src/support/export-sftp.js';

// Support staff's companion reaching a real unit's export through a real sshd relay (in its own
// network namespace); the relay's loopback listen port is bridged to this process's loopback.
let rig: SupportRelay | undefined;
let unit: SupportUnit | undefined;
let bridge: { close(): void } | undefined;
let dir: string;
let access: ExportAccess;
const exportDir = () => join(rig!.unitSrv, 'support', 'export');

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

before(async () => {
  if (process.getuid?.() !== 0) return;
  dir = mkdtempSync(join(tmpdir(), 'pitwall-export-sftp-'));
  const data = join(dir, 'unit');
  mkdirSync(data);
  rig = await startSupportRelay('sxp');
  unit = await startSupportUnit(rig, data, rig.unitSupportConfig({ refreshS: 600 }));
  const owner = await makeOperator('owner export');
  await pairOverSerial(unit.unit.ready.serialPath, owner, 'owner');
  const on = await https(unit.base, 'POST', Routes.supportOn.path, { client: owner, body: { durationS: 600 }, timeoutMs: 20_000 });
  assert.equal(on.status, 200, on.body);
  const s = supportStatus.parse(JSON.parse(on.body));
  const reg = await rig.register(unit.unit.ready.id, s.supportKey!, s.expiresAt!);
  assert.equal(reg.code, 0, reg.stderr);
  await until('the tunnel', async () => {
    const r = await https(unit!.base, 'GET', Routes.supportStatus.path, { client: owner });
    return (supportStatus.parse(JSON.parse(r.body)) as SupportStatus).tunnel === 'up';
  });
  bridge = await bridgeLoopbackPort(rig.relayNs, rig.listenPort, dir);
  access = { host: '127.0.0.1', port: rig.listenPort, user: SUPPORT_TEST_USER, keyFile: rig.staffKeyFile, exportHostKey: s.exportHostKey!, timeoutMs: 30_000 };
  await until('the bridged listen port', async () => listExport(access).then(() => true, () => false));
});

after(() => {
  bridge?.close();
  return Promise.resolve(unit?.stop()).finally(() => {
    rig?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
});

test('the export is listed and a file downloaded through the relay into the chosen folder', async (t) => {
  if (!needsRoot(t)) return;
  const top = await listExport(access);
  const names = top.entries.map((e) => e.name);
  for (const name of ['README.txt', 'config.json', 'logs', 'crashes']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  assert.equal(top.entries.find((e) => e.name === 'logs')!.kind, 'folder');
  const logs = await listExport(access, 'logs');
  assert.ok(logs.entries.some((e) => e.name === 'pitwall.log' && e.kind === 'file'), JSON.stringify(logs));
  const to = join(dir, 'chosen');
  mkdirSync(to);
  const got = await downloadExportFile(access, 'README.txt', to);
  assert.equal(got.file, join(to, 'README.txt'));
  assert.equal(readFileSync(got.file, 'utf8'), readFileSync(join(exportDir(), 'README.txt'), 'utf8'));
  assert.equal(got.bytes, top.entries.find((e) => e.name === 'README.txt')!.bytes);
  await assert.rejects(downloadExportFile(access, 'README.txt', to), /already exists/, 'an existing file is not replaced');
});

test('a diagnostics archive of the whole export: its files as the unit served them, and where they came from', async (t) => {
  if (!needsRoot(t)) return;
  const out = join(dir, 'archives', 'unit-support.tar.gz');
  const made = await archiveExport(access, out, new Date('2026-12-06T12:00:00Z'));
  assert.equal(made.path, out);
  assert.ok(made.files >= 4, JSON.stringify(made));
  const names: string[] = [];
  await listTar({ file: out, onReadEntry: (e) => void names.push(e.path) });
  for (const n of ['unit-support/README.txt', 'unit-support/config.json', 'unit-support/logs/pitwall.log', 'unit-support/support-export.json']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  assert.equal(existsSync(`${out}.partial`), false);
});

test('a wrong pinned host key is refused before anything is listed', async (t) => {
  if (!needsRoot(t)) return;
  await assert.rejects(listExport({ ...access, exportHostKey: rig!.hostKey }), (e: Error) => e instanceof ExportError && /Host key verification failed|sftp failed/.test(e.message));
});

test('paths with .., /, control characters or globs never reach sftp', async (t) => {
  if (!needsRoot(t)) return;
  const to = join(dir, 'refused');
  mkdirSync(to);
  for (const bad of ['..', '../etc/hostname', 'logs/../../etc', 'a\nget /etc/hostname', '*', 'logs/*.log', 'x"; !id', '-rf', 'a\\b']) {
    await assert.rejects(listExport(access, bad), ExportError, JSON.stringify(bad));
    await assert.rejects(downloadExportFile(access, bad, to), ExportError, JSON.stringify(bad));
  }
  await assert.rejects(downloadExportFile(access, 'README.txt', join(to, 'a"b')), /download folder/);
  assert.deepEqual(readdirSync(to), [], 'nothing was written');
});

test('a hostile export: names with .., newlines and globs are refused, a huge listing is refused cleanly', async (t) => {
  if (!needsRoot(t)) return;
  // Planted on the unit's side, where a compromised unit controls the names.
  const hostile = join(exportDir(), 'hostile');
  mkdirSync(hostile);
  for (const name of ['ok.log', '..evil', 'two\nlines.log', 'x\n-rw-r--r--    ? root root 5 Dec  6 15:00 ..', 'forged\n-rw-r--r--    ? root root 5 Dec  6 15:00 passwd', 'glob*', 'quote"d', 'bell\u0007', '-rf']) writeFileSync(join(hostile, name), 'x');
  const listed = await listExport(access, 'hostile');
  assert.deepEqual(listed.entries.map((e) => e.name), ['ok.log']);
  assert.ok(listed.refused >= 7, `refused ${listed.refused}`);
  const huge = join(exportDir(), 'huge');
  mkdirSync(huge);
  for (let i = 0; i <= LISTING_MAX_ENTRIES; i++) writeFileSync(join(huge, `f${i}`), '');
  await assert.rejects(listExport(access, 'huge'), /more than 5000 entries|larger than/);
  const to = join(dir, 'after-hostile');
  mkdirSync(to);
  assert.equal(existsSync(join(to, 'ok.log')), false);
  await downloadExportFile(access, 'hostile/ok.log', to);
  assert.equal(readFileSync(join(to, 'ok.log'), 'utf8'), 'x', 'the safe file still comes');
});
