// The FIFO read through a bus that garbles what it carries (seeded, so a failure replays): tag
// bytes with flipped bits, FIFO_STATUS with random counts. Every drain ends in samples or in one
// clear error; nothing throws out of the feed, what arrives is real motion in time order, and
// once the bus is clean again the samples flow with the loss counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionImuSample } from '@pitwall/protocol';
import type { I2cBus } from '../../../src/hal/i2c-bus.js';
import { Lsm6dsox } from '../../../src/hal/imu/lsm6dsox.js';
import { FifoDataError } from '../../../src/hal/imu/lsm6dsox-fifo.js';
import { PolledImuFeed } from '../../../src/hal/imu/polled-imu-feed.js';
import { i2cDevBus } from '../../../src/hal/imu/i2c-dev-bus.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { FakeI2cDev } from '../../helpers/fake-i2c-dev.js';
import { FakeLsm6dsox } from '../../helpers/fake-lsm6dsox.js';
import { prng } from '../../helpers/prng.js';

const G = 9.80665;
const PERIOD = 1000 / 104;

/** `bus` with FIFO tag bytes and FIFO_STATUS garbled at `rate` while `on()`. */
function hostile<B extends I2cBus & { close?(): Promise<void> }>(bus: B, rand: () => number, rate: number, on: () => boolean = () => true): I2cBus & { close(): Promise<void> } {
  return {
    readRegister: (address, register) => bus.readRegister(address, register),
    writeRegister: (address, register, value) => bus.writeRegister(address, register, value),
    close: async () => bus.close?.(),
    readBlock: async (address: number, register: number, length: number) => {
      const b = await bus.readBlock(address, register, length);
      if (!on()) return b;
      if (register === 0x78) for (let i = 0; i < length; i += 7) if (rand() < rate) b[i]! ^= 1 << Math.floor(rand() * 8) | (rand() < 0.5 ? 1 << Math.floor(rand() * 8) : 0);
      if (register === 0x3a && rand() < rate) b.set([Math.floor(rand() * 256), Math.floor(rand() * 256)].slice(0, length));
      return b;
    },
  };
}

test('driver: a garbled tag or status is a FifoDataError naming the word, never a crash or a made-up sample', async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rand = prng(seed);
    const chip = new FakeLsm6dsox();
    const imu = new Lsm6dsox(hostile(chip, rand, 0.05), { sleep: async () => {} });
    await imu.init();
    await imu.enableFifo(100);
    let samples = 0;
    let errors = 0;
    for (let t = 0; t < 3000; t += 50) {
      chip.advance(t);
      try {
        const r = await imu.readFifo();
        samples += r.samples.length;
        for (const s of r.samples) assert.ok(Math.abs(s.accelMps2[2] - G) < 0.01 && s.gyroDps.every((v) => v === 0), `seed ${seed}: ${s.accelMps2.join(', ')}`);
      } catch (err) {
        assert.ok(err instanceof FifoDataError, `seed ${seed}: ${(err as Error).stack}`);
        assert.match(err.message, /^LSM6DSOX FIFO( word \d+ of \d+: (tag 0x[0-9a-f]{2} fails its parity|tag sensor 0x[0-9a-f]+ was not batched|two (gyro|accel) words)|_STATUS reports \d+ words)/);
        errors++;
      }
    }
    assert.ok(errors > 0 && samples > 100, `seed ${seed}: ${errors} errors, ${samples} samples`);
  }
});

test('feed: a hostile bus for 3 s, then a clean one: errors logged once, samples in order, the loss counted, the flow back', async () => {
  const clock = { now: 0 };
  const dev = new FakeI2cDev(undefined, () => clock.now);
  let garbling = true;
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
  const feed = new PolledImuFeed({
    rateHz: 100,
    openBus: async () => hostile(i2cDevBus(dev), prng(99), 0.1, () => garbling),
    log,
    now: () => clock.now,
    pollMs: 2 ** 30,
  });
  garbling = false;
  await feed.init();
  garbling = true;
  const samples: SessionImuSample[] = [];
  await feed.push({ t: 1e12, lat: 0, lon: 0 }, (s) => samples.push(s));
  try {
    for (; clock.now < 3000; clock.now += 10) await feed.drain();
    garbling = false;
    const during = samples.length;
    for (; clock.now < 5000; clock.now += 10) await feed.drain();
    await feed.push({ t: 1e12 + 10_000, lat: 0, lon: 0 }, (s) => samples.push(s));
    assert.ok(warnings.some((w) => /imu read failed: LSM6DSOX FIFO/.test(w)), warnings.join('\n'));
    assert.equal(warnings.filter((w) => /imu read failed/.test(w)).length, 1, `one warning for a bus failing on and off for 3 s, not one a drain: ${warnings.join('\n')}`);
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i]!.t > samples[i - 1]!.t, 'in order');
    for (const s of samples) assert.ok(Math.abs(s.accelMps2[2] - G) < 0.01, `real motion only: ${s.accelMps2.join(', ')}`);
    const { lostSamples } = feed.losses();
    assert.ok(lostSamples > 0, 'what the emptied FIFO held is counted lost');
    assert.equal(samples.length + lostSamples, dev.chip.samples - 1, 'every sample taken is delivered or counted lost');
    const after = samples.slice(-100);
    for (let i = 1; i < after.length; i++) assert.ok(Math.abs(after[i]!.t - after[i - 1]!.t - PERIOD) < 0.001, 'clean bus: one period apart');
    assert.ok(samples.length - during > 150, 'samples flow again');
  } finally {
    await feed.close();
  }
});
