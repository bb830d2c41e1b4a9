// `pitwall-device run --config FILE` as its own process, the real drivers on fake devices: a
// u-blox on a socat pty (found at 9600 by auto-baud, switched to 115200 and 10 Hz by the unit),
// the IMU driver on the LSM6DSOX register model (the child loads helpers/fake-i2c-preload.ts,
// which puts that model in place of the i2c-bus package), the gpiod tools faked on PATH, the USB
// gadget's serial function as a pty pair. A companion pairs over that serial port and finds the
// fixes and IMU samples recorded into a session through the HTTPS API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSession, routePath, Routes } from '@pitwall/protocol';
import { startReadyProcess } from '../../../../testbed/ready-process.js';
import { DEVICE_CLI } from '../../../../testbed/sim-unit.js';
import { openPtyPair } from '../../../src/hal/pty-pair.js';
import { FakeUblox } from '../../helpers/fake-ublox.js';
import { makeOperator, pairOverSerial, type OperatorCreds } from '../../helpers/https-client.js';
import { getBytes, waitForSession } from '../../helpers/sessions.js';
import { tempDir } from '../../helpers/paths.js';

const FAKES = fileURLToPath(new URL('../../helpers/fake-gpiod/', import.meta.url));
const FAKE_I2C = fileURLToPath(new URL('../../helpers/fake-i2c-preload.ts', import.meta.url));

async function fileOf(base: string, id: string, owner: OperatorCreds): Promise<Uint8Array> {
  const res = await getBytes(base, routePath(Routes.sessionFile, { params: { id } }), owner);
  assert.equal(res.status, 200, res.body.toString());
  return res.body;
}

test('pitwall-device run as a process on fake devices: it sets the receiver up, pairs over the USB serial port and records the fixes and IMU samples into a session', async () => {
  const { dir, cleanup } = await tempDir('device-run');
  const receiver = await FakeUblox.start(join(dir, 'serial0'), join(dir, 'receiver'), { kind: 'm8', baud: 9600, rateHz: 1 });
  const usb = await openPtyPair(join(dir, 'ttyGS0'), join(dir, 'usb-host'));
  execFileSync('mkfifo', [join(dir, 'edges')]);
  await writeFile(join(dir, 'levels.json'), '{}');
  const edges = await open(join(dir, 'edges'), 'r+');
  const configFile = join(dir, 'unit.json');
  await writeFile(
    configFile,
    JSON.stringify({
      dataDir: join(dir, 'unit'),
      api: { port: 0, host: '127.0.0.1', mdns: false },
      hardware: { gnssPath: join(dir, 'serial0'), gnssAutoBaud: true, ubloxRateHz: 10, ubloxBaud: 115200, usbGadgetPath: join(dir, 'ttyGS0'), gpioChip: 'gpiochip0', i2cBus: 97 },
    }),
  );
  let unit: Awaited<ReturnType<typeof startReadyProcess<{ apiPort: number }>>> | undefined;
  try {
    unit = await startReadyProcess<{ apiPort: number }>([process.execPath, '--import', 'tsx', '--import', FAKE_I2C, DEVICE_CLI, 'run', '--config', configFile], {
      label: 'pitwall-device run',
      env: { NODE_OPTIONS: '', PATH: `${FAKES}:${process.env.PATH}`, FAKE_GPIOD_DIR: dir, FAKE_I2C_BUS: '97' },
      timeoutMs: 60_000,
    });
    const bootLog = async () => `${await readFile(join(dir, 'unit', 'logs', 'unit.log'), 'utf8').catch(() => '')}${unit?.output.join('')}`;
    for (let i = 0; receiver.rateHz !== 10 && i < 50; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(receiver.rateHz, 10, `the unit set the receiver to 10 Hz: ${await bootLog()}`);

    const owner = await makeOperator('owner');
    await pairOverSerial(join(dir, 'usb-host'), owner, 'owner');
    const base = `https://127.0.0.1:${unit.ready.apiPort}`;
    // The fake receiver drives north at 20 m/s: moving for 3 s starts a session.
    const meta = await waitForSession(base, owner, (m) => m.durationS >= 3, 60_000, 'recording');
    // An open session's file grows chunk by chunk as the writer flushes.
    let session = decodeSession(await fileOf(base, meta.id, owner));
    for (let i = 0; (session.fixes.length < 20 || session.imu.length < 200) && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      session = decodeSession(await fileOf(base, meta.id, owner));
    }
    assert.ok(session.fixes.length >= 20, `fixes recorded: ${session.fixes.length}`);
    // Well under the 1 s of the receiver before its set-up (the fake's 10 Hz timer slips on a loaded machine).
    const dt = (session.fixes.at(-1)!.t - session.fixes[0]!.t) / (session.fixes.length - 1);
    assert.ok(dt < 500, `the receiver's new rate in the recorded fixes: ${dt} ms apart`);
    assert.ok(session.imu.length >= 200, `IMU samples recorded: ${session.imu.length}`);
    const span = (session.imu.at(-1)!.t - session.imu[0]!.t) / 1000;
    const hz = (session.imu.length - 1) / span;
    // The chip has no 100 Hz rate: it runs at 104 Hz, and its FIFO keeps every sample for a
    // reader that comes late on this loaded machine, so the rate holds and nothing is skipped.
    // The header says 104 Hz too: the rate the samples come at, not the 100 Hz asked for.
    assert.equal(session.header.imu?.rateHz, 104);
    assert.ok(hz > 95 && hz < 110, `IMU samples at the chip's 104 Hz: ${hz.toFixed(1)} Hz over ${span.toFixed(1)} s`);
    const gaps = session.imu.slice(1).map((s, i) => s.t - session.imu[i]!.t);
    assert.ok(Math.max(...gaps) < 50, `no gap in the IMU samples: the longest is ${Math.max(...gaps).toFixed(1)} ms`);
    const az = session.imu.reduce((n, x) => n + x.accelMps2[2], 0) / session.imu.length;
    assert.ok(Math.abs(az - 9.81) < 0.5, `the chip at rest reads gravity on z: ${az}`);
  } finally {
    await unit?.stop();
    await edges.close();
    await usb.close();
    await receiver.stop();
    await cleanup();
  }
});
