import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimImuFeed } from '../../../../src/hal/sim/sim-imu-feed.js';
import { PolledImuFeed } from '../../../../src/hal/imu/polled-imu-feed.js';
import { i2cDevBus } from '../../../../src/hal/imu/i2c-dev-bus.js';
import { silentLogger } from '../../../../src/ops/logger.js';
import { FakeI2cDev } from '../../../helpers/fake-i2c-dev.js';
import { imuFeedContract } from './imu-feed-contract.js';

test('contract: the sim IMU feed', async () => {
  await imuFeedContract(new SimImuFeed(100));
});

test('contract: the LSM6DSOX on i2c-dev, over a fake i2c-bus with the register model behind it', async () => {
  const dev = new FakeI2cDev();
  const feed = new PolledImuFeed({ rateHz: 100, openBus: async () => i2cDevBus(dev), log: silentLogger });
  try {
    await imuFeedContract(feed);
    // The chip has no 100 Hz: the driver sets its next rate up, and that is the rate stated.
    assert.equal(dev.chip.regs[0x10]! >> 4, 4, 'ODR_XL code 4: 104 Hz');
    assert.equal(feed.info.rateHz, 104, 'the feed states the 104 Hz the chip runs at, not the 100 Hz asked');
  } finally {
    await feed.close();
  }
  assert.equal(dev.chip.regs[0x10], 0, 'accelerometer powered down on close');
  assert.ok(dev.closed, 'bus closed');
});

test('a missing chip fails init with the address and the kernel error; a bus that fails later is logged once', async () => {
  const absent = new FakeI2cDev();
  absent.fail = 'ENXIO';
  await assert.rejects(new PolledImuFeed({ rateHz: 100, openBus: async () => i2cDevBus(absent), log: silentLogger }).init(), { code: 'EIO', message: /0x6a: ENXIO/ });
  const dev = new FakeI2cDev();
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
  const feed = new PolledImuFeed({ rateHz: 100, openBus: async () => i2cDevBus(dev), log });
  await feed.init();
  dev.fail = 'EREMOTEIO';
  await new Promise((r) => setTimeout(r, 100));
  await feed.close();
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /EREMOTEIO/);
});

test('polled feed: a fix that comes late in wall time does not stamp later samples before earlier ones', async () => {
  let now = 0;
  const feed = new PolledImuFeed({ rateHz: 100, openBus: async () => i2cDevBus(new FakeI2cDev()), log: silentLogger, now: () => now });
  await feed.init();
  const got: number[] = [];
  const on = (s: { t: number }) => void got.push(s.t);
  try {
    await feed.push({ t: 1000, lat: 0, lon: 0 }, on);
    now = 150; // the next fix is 50 ms late: samples now are stamped 1150
    await new Promise((r) => setTimeout(r, 60));
    await feed.push({ t: 1100, lat: 0, lon: 0 }, on);
    now = 160; // stamped from the new fix these would be 1110, before the ones already taken
    await new Promise((r) => setTimeout(r, 60));
    await feed.push({ t: 1300, lat: 0, lon: 0 }, on);
  } finally {
    await feed.close();
  }
  assert.ok(got.length >= 2, `samples: ${got.length}`);
  for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, `in order: ${got.join(', ')}`);
});
