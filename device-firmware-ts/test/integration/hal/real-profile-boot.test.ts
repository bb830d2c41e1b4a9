// The real hardware profile booted end to end on fake devices: a u-blox on a socat pty (found
// by auto-baud, switched to 115200 and 10 Hz), the LSM6DSOX register model behind a fake
// i2c-bus, the gpiod tools faked on PATH, and the USB gadget as a pty pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseUnitConfig } from '@pitwall/protocol';
import { bootUnit } from '../../../src/runtime.js';
import { realProfile } from '../../../src/hal/real-profile.js';
import { realProfileOptions } from '../../../src/hal/profiles.js';
import { i2cDevBus } from '../../../src/hal/imu/i2c-dev-bus.js';
import { openPtyPair } from '../../../src/hal/pty-pair.js';
import { FakeUblox } from '../../helpers/fake-ublox.js';
import { FakeI2cDev } from '../../helpers/fake-i2c-dev.js';

const FAKES = fileURLToPath(new URL('../../helpers/fake-gpiod/', import.meta.url));

test('the real profile on fake devices: fixes arrive at 10 Hz from a receiver it set up, health reports the IMU rate, the pair LED follows the button', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pw-real-'));
  const config = parseUnitConfig({
    dataDir: join(dir, 'unit'),
    api: { port: 0, host: '127.0.0.1', mdns: false },
    health: { intervalS: 0.5 },
    hangTimeoutS: 0,
    imu: { rateHz: 100 },
    hardware: { gnssPath: join(dir, 'serial0'), gnssAutoBaud: true, ubloxRateHz: 10, ubloxBaud: 115200, usbGadgetPath: join(dir, 'ttyGS0'), gpioChip: 'gpiochip0' },
  });
  const receiver = await FakeUblox.start(join(dir, 'serial0'), join(dir, 'receiver'), { kind: 'm8', baud: 9600, rateHz: 1 });
  const usb = await openPtyPair(join(dir, 'ttyGS0'), join(dir, 'usb-host'));
  execFileSync('mkfifo', [join(dir, 'edges')]);
  await writeFile(join(dir, 'levels.json'), '{}');
  const edges = await open(join(dir, 'edges'), 'r+');
  const i2c = new FakeI2cDev();
  const o = realProfileOptions(config);
  const env = { ...process.env, PATH: `${FAKES}:${process.env.PATH}`, FAKE_GPIOD_DIR: dir };
  const hardware = realProfile({ ...o, gpio: { ...o.gpio!, env }, openI2c: async () => i2cDevBus(i2c) });
  const unit = await bootUnit(config, 'real', { hardware });
  try {
    assert.equal(receiver.baud, 115200, 'receiver switched to 115200');
    assert.equal(receiver.rateHz, 10, 'receiver at 10 Hz');
    for (let i = 0; unit.status().gnss.fix === 'none'; i++) {
      assert.ok(i < 100, 'a fix within 10 s');
      await sleep(100);
    }
    let imuRate: number | null = null;
    for (let i = 0; i < 60 && !(imuRate !== null && imuRate > 80); i++) {
      await sleep(250);
      const lines = (await readFile(join(config.dataDir, 'health', 'health.jsonl'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
      imuRate = lines.length ? (JSON.parse(lines.at(-1)!) as { imu: { sampleRateHz: number | null } }).imu.sampleRateHz : null;
    }
    assert.ok(imuRate !== null && imuRate > 80 && imuRate < 110, `health reports about 100 Hz of IMU samples: ${imuRate}`);
    const status = unit.status().gnss;
    assert.ok(status.sentences.accepted > 10 && status.sentences.badChecksum === 0, `sentences read at the new speed: ${JSON.stringify(status.sentences)}`);
    // The pair button opens the pairing window: the pair LED (line 5) starts blinking.
    await edges.write('17 1\n');
    await sleep(100);
    await edges.write('17 0\n');
    const calls = async () => (await readFile(join(dir, 'calls.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { tool: string; line?: number; value?: number });
    await sleep(1500);
    const led = (await calls()).filter((c) => c.tool === 'gpioset' && c.line === 5 && c.value !== undefined);
    assert.ok(led.filter((c) => c.value === 1).length >= 1 && led.length >= 3, `the pair LED blinks: ${JSON.stringify(led.map((c) => c.value))}`);
  } finally {
    await unit.stop();
    await edges.close();
    await usb.close();
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
