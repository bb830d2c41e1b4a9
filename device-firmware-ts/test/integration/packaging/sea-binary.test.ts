// The unit runtime as a single executable (scripts/build-sea.mjs): copied away from the
// repository, it boots the sim profile, answers GET info over TLS, and loads its native serial
// addon from native/ beside it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Routes, deviceInfo } from '@pitwall/protocol';
import { startReadyProcess, type ReadyProcess } from '../../../../testbed/ready-process.js';
import { buildSeaOnce, type SeaBuild } from '../../helpers/sea-build.js';
import { https } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';

interface Ready {
  id: string;
  apiPort: number;
}

let sea: SeaBuild;
let shipped: { dir: string; cleanup: () => Promise<void> };
let unit: ReadyProcess<Ready> | undefined;

before(async () => {
  sea = await buildSeaOnce();
  // What a unit gets: the folder alone, away from the repository and its node_modules.
  shipped = await tempDir('sea-shipped');
  await cp(sea.dir, join(shipped.dir, 'opt'), { recursive: true });
  console.log(`SEA built in ${sea.buildSeconds.toFixed(1)} s`);
});

after(async () => {
  await unit?.stop();
  await shipped.cleanup();
  await rm(sea.dir, { recursive: true, force: true });
});

test('the single executable boots the sim profile and answers GET info', async () => {
  const binary = join(shipped.dir, 'opt', 'pitwall-device');
  const { stdout: version } = await promisify(execFile)(binary, ['--version']);
  assert.match(version, /^\d+\.\d+\.\d+ /, 'the version read from app/device-firmware-ts/package.json');

  unit = await startReadyProcess<Ready>(
    [binary, 'sim', '--data-dir', join(shipped.dir, 'data'), '--api-port', '0'],
    { label: 'SEA unit', env: { NODE_OPTIONS: '' } },
  );
  const res = await https(`https://127.0.0.1:${unit.ready.apiPort}`, 'GET', Routes.info.path);
  assert.equal(res.status, 200, res.body);
  assert.equal(deviceInfo.parse(JSON.parse(res.body)).id, unit.ready.id);

  // The GNSS reader has its serial port open through the addon shipped beside the binary.
  const maps = await readFile(`/proc/${unit.process.pid}/maps`, 'utf8');
  assert.ok(
    maps.includes(join(shipped.dir, 'opt', 'native', 'node_modules', '@serialport', 'bindings-cpp')),
    'the serialport addon is loaded from native/ beside the binary',
  );
});

