import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadUnitIdentity, readSimBoardSerial, uuidV5, resolveCommit, silentLogger, FIRMWARE_VERSION } from '../../../src/index.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';

test('unit id is made once, kept crash-safely, and reused', async () => {
  const { dir, cleanup } = await tempDir('id');
  try {
    const a = await loadUnitIdentity(dir, { model: 'PW-1 (sim)', log: silentLogger, hardware: await readSimBoardSerial(dir) });
    assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(a.id, uuidV5((await readFile(join(dir, 'sim-board', 'serial'), 'utf8')).trim()), 'UUID v5 of the board serial');
    assert.equal(a.state.state, 'ok');
    assert.equal(a.name, `Pitwall-${a.id.slice(0, 4).toUpperCase()}`);
    assert.equal((await readFile(join(dir, 'identity', 'unit-id'), 'utf8')).trim(), a.id);
    assert.deepEqual((await readdir(join(dir, 'identity'))).sort(), ['unit-id', 'unit-key.pem'], 'no temp file left behind');
    assert.equal((await stat(join(dir, 'identity', 'unit-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'identity'))).mode & 0o777, 0o700);
    const b = await loadUnitIdentity(dir, { model: 'PW-1 (sim)', name: 'Car 7', log: silentLogger, hardware: await readSimBoardSerial(dir) });
    assert.equal(b.id, a.id);
    assert.equal(b.name, 'Car 7');
    assert.equal(b.fingerprint, a.fingerprint);
  } finally {
    await cleanup();
  }
});

test('an invalid id file is set aside and rewritten from the hardware, not trusted', async () => {
  const { dir, cleanup } = await tempDir('id');
  try {
    await mkdir(join(dir, 'identity'));
    await writeFile(join(dir, 'identity', 'unit-id'), 'NOT-A-UUID\n');
    const a = await loadUnitIdentity(dir, { model: 'm', log: silentLogger, hardware: await readSimBoardSerial(dir) });
    assert.notEqual(a.id, 'NOT-A-UUID');
    assert.equal(a.id, uuidV5((await readFile(join(dir, 'sim-board', 'serial'), 'utf8')).trim()));
    assert.ok(a.problems.some((p) => /invalid id/.test(p)));
    const files = await readdir(join(dir, 'identity'));
    assert.ok(files.some((f) => f.startsWith('unit-id.invalid-')));
  } finally {
    await cleanup();
  }
});

test('firmware version comes from package.json; commit from env, else the repo .git', async () => {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'device-firmware-ts', 'package.json'), 'utf8')) as { version: string };
  assert.equal(FIRMWARE_VERSION, pkg.version);
  assert.equal(resolveCommit({ PITWALL_COMMIT: 'deadbee' }), 'deadbee');
  assert.match(resolveCommit({}, repoRoot), /^[0-9a-f]{7}$/);
  const { dir, cleanup } = await tempDir('nogit');
  try {
    assert.equal(resolveCommit({}, dir), 'unknown');
  } finally {
    await cleanup();
  }
});
