// `pitwall-device run --config FILE` as its own process, the real drivers on fake devices: a
// u-blox on a socat pty (found at 9600 by auto-baud, switched to 115200 and 10 Hz by the unit),
// the gpiod tools faked on PATH, the USB gadget's serial function as a pty pair. A companion
// pairs over that serial port and finds the fixes recorded into a session through the HTTPS
// API. The IMU is not part of it: the fake I2C bus lives in the test's process
// (real-profile-boot.test.ts boots the real profile in process with it); here /dev/i2c-N is
// absent and the unit runs without IMU samples, as a board without the IMU does.
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

async function fileOf(base: string, id: string, owner: OperatorCreds): Promise<Uint8Array> {
  const res = await getBytes(base, routePath(Routes.sessionFile, { params: { id } }), owner);
  assert.equal(res.status, 200, res.body.toString());
  return res.body;
}

test('pitwall-device run as a process on fake devices: it sets the receiver up, pairs over the USB serial port and records the fixes into a session', async () => {
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
    unit = await startReadyProcess<{ apiPort: number }>([process.execPath, DEVICE_CLI, 'run', '--config', configFile], {
      label: 'pitwall-device run',
      env: { NODE_OPTIONS: '', PATH: `${FAKES}:${process.env.PATH}`, FAKE_GPIOD_DIR: dir },
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
    for (let i = 0; session.fixes.length < 20 && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      session = decodeSession(await fileOf(base, meta.id, owner));
    }
    assert.ok(session.fixes.length >= 20, `fixes recorded: ${session.fixes.length}`);
    // Well under the 1 s of the receiver before its set-up (the fake's 10 Hz timer slips on a loaded machine).
    const dt = (session.fixes.at(-1)!.t - session.fixes[0]!.t) / (session.fixes.length - 1);
    assert.ok(dt < 500, `the receiver's new rate in the recorded fixes: ${dt} ms apart`);
    assert.equal(session.imu.length, 0, 'no IMU on this board');
    assert.match(await bootLog(), /\[pipeline\].*no IMU;/, 'the log says the sessions carry no IMU');
  } finally {
    await unit?.stop();
    await edges.close();
    await usb.close();
    await receiver.stop();
    await cleanup();
  }
});
