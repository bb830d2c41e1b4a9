// The unit runtime as a single executable (scripts/build-sea.mjs): copied away from the
// repository, it boots the sim profile, answers GET info over TLS, and loads its native serial
// addon from native/ beside it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Routes, deviceInfo } from '@pitwall/protocol';
import { startReadyProcess, type ReadyProcess } from '../../../../testbed/ready-process.js';
import { injectSimFault } from '../../../../testbed/sim-gpio.js';
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


test('the hang watchdog thread runs from app/ beside the binary: a blocked unit is killed', async () => {
  // Blocked on its main thread, the unit can only be ended by its watchdog worker thread.
  const dataDir = join(shipped.dir, 'data-hang');
  const hung = await startReadyProcess<Ready>(
    [join(shipped.dir, 'opt', 'pitwall-device'), 'sim', '--data-dir', dataDir, '--api-port', '0', '--no-mdns', '--hang-timeout', '2'],
    { label: 'SEA unit (hang)', env: { NODE_OPTIONS: '' } },
  );
  const exited = once(hung.process, 'exit');
  await injectSimFault(dataDir, 'hang');
  let killedHere = false;
  const timer = setTimeout(() => {
    killedHere = true;
    hung.process.kill('SIGKILL');
  }, 30_000);
  await exited;
  clearTimeout(timer);
  assert.equal(killedHere, false, `the watchdog did not end the hung unit: ${hung.output.join('')}`);
  assert.ok(!hung.output.join('').includes('hang watchdog:'), hung.output.join(''));
  const dumps = await readdir(join(dataDir, 'crashes'), { recursive: true }).catch(() => [] as string[]);
  assert.ok(dumps.length > 0, `a hang dump in ${dataDir}/crashes`);
});
