import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthSnapshot, type GnssStatus, type SessionImuSample } from '@pitwall/protocol';
import { ImuRateMeter, meteredImuFeed } from '../../../src/pipeline/imu-rate.js';
import { healthSampler } from '../../../src/ops/health-sampler.js';
import { SimImuFeed } from '../../../src/hal/sim/sim-imu-feed.js';
import { Lsm6dsox } from '../../../src/hal/imu/lsm6dsox.js';
import { PolledImuFeed } from '../../../src/hal/imu/polled-imu-feed.js';
import { i2cDevBus } from '../../../src/hal/imu/i2c-dev-bus.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { FakeI2cDev } from '../../helpers/fake-i2c-dev.js';
import { FakeLsm6dsox } from '../../helpers/fake-lsm6dsox.js';

const noSleep = async () => {};
const G = 9.80665;
const PERIOD = 1000 / 104;
const T0 = Date.UTC(2026, 0, 1, 12);
/** The timer never fires during a test: the test drains by hand at the times it chooses. */
const NO_TIMER = 2 ** 30;
/** Receiver times near 1.8e12 ms are doubles good to about 0.25 us. */
const EPS = 0.001;

test('FIFO set-up: continuous mode, both sensors batched at 104 Hz, watermark; words come out tagged and paired', async () => {
  const chip = new FakeLsm6dsox();
  const imu = new Lsm6dsox(chip, { sleep: noSleep });
  await imu.init();
  await imu.enableFifo(300);
  // Datasheet values written out: WTM 300 = 0x12c, BDR_GY = BDR_XL = 0100 (104 Hz), FIFO_MODE 110.
  assert.equal(chip.regs[0x07], 0x2c, 'FIFO_CTRL1: WTM[7:0]');
  assert.equal(chip.regs[0x08], 0x01, 'FIFO_CTRL2: WTM8');
  assert.equal(chip.regs[0x09], 0x44, 'FIFO_CTRL3: BDR_GY | BDR_XL');
  assert.equal(chip.regs[0x0a], 0x06, 'FIFO_CTRL4: continuous');
  chip.motion = { accelMps2: [3.2, -12.5, G], gyroDps: [10, -250.5, 400] };
  chip.advance(0);
  chip.advance(PERIOD * 2.5);
  assert.equal((await chip.readBlock(0x6a, 0x3a, 2))[0], 6, 'FIFO_STATUS1: three slots of two words');
  // Tag bytes as ST's table gives them: gyro 0x01 then accel 0x02 in bits 7:3, TAG_CNT 0, 1, 2.
  const burst = await chip.readBlock(0x6a, 0x78, 14);
  assert.equal(burst[0]! & 0xf8, 0x08);
  assert.equal(burst[7]! & 0xf8, 0x10);
  assert.equal((burst[0]! >> 1) & 3, (burst[7]! >> 1) & 3, 'one time slot');
  const read = await imu.readFifo();
  assert.equal(read.samples.length, 2, 'the rest of the FIFO: two samples');
  assert.equal(read.overrun, false);
  const s = read.samples[1]!;
  s.accelMps2.forEach((v, i) => assert.ok(Math.abs(v - chip.motion.accelMps2[i]!) <= 0.122e-3 * G, `accel ${i}: ${v}`));
  s.gyroDps.forEach((v, i) => assert.ok(Math.abs(v - chip.motion.gyroDps[i]!) <= 17.5e-3, `gyro ${i}: ${v}`));
  assert.equal((await imu.readFifo()).samples.length, 0, 'drained');
});

test('accelerometer words without their gyro words are not samples: they are counted, not paired across time slots', async () => {
  const chip = new FakeLsm6dsox();
  const imu = new Lsm6dsox(chip, { sleep: noSleep });
  await imu.init();
  await imu.enableFifo(10);
  await chip.writeRegister(0x6a, 0x09, 0x04); // FIFO_CTRL3: BDR_GY 0, the gyro no longer batched
  chip.advance(0);
  chip.advance(PERIOD * 2);
  const read = await imu.readFifo();
  assert.equal(read.samples.length, 0);
  assert.equal(read.orphans, 2, 'slots 0 and 1 given up once the next slot began');
});

interface Run {
  feed: PolledImuFeed;
  dev: FakeI2cDev;
  clock: { now: number };
  samples: SessionImuSample[];
  warnings: string[];
}

async function manualFeed(): Promise<Run> {
  const clock = { now: 0 };
  const dev = new FakeI2cDev(undefined, () => clock.now);
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
  const feed = new PolledImuFeed({ rateHz: 100, openBus: async () => i2cDevBus(dev), log, now: () => clock.now, pollMs: NO_TIMER });
  await feed.init();
  const samples: SessionImuSample[] = [];
  await feed.push({ t: T0, lat: 0, lon: 0 }, (s) => samples.push(s));
  return { feed, dev, clock, samples, warnings };
}

/** Drains every 10 ms from now to `until`, then `late` ms of a reader that does not come. */
async function drainUntil(r: Run, until: number): Promise<void> {
  while (r.clock.now < until) {
    r.clock.now = Math.min(until, r.clock.now + 10);
    await r.feed.drain();
  }
}

function spacings(samples: SessionImuSample[]): number[] {
  return samples.slice(1).map((s, i) => s.t - samples[i]!.t);
}

test('a reader 300 ms late loses nothing: every sample the chip took arrives, exactly one ODR period apart', async () => {
  const r = await manualFeed();
  try {
    await drainUntil(r, 1000);
    r.clock.now += 300; // the timer runs late (GC, a loaded machine)
    await drainUntil(r, 2000);
    await r.feed.push({ t: T0 + 10_000, lat: 0, lon: 0 }, (s) => r.samples.push(s));
  } finally {
    await r.feed.close();
  }
  // The chip's first sample came before the FIFO was switched on (init), so it is not batched.
  assert.equal(r.samples.length, r.dev.chip.samples - 1, `${r.samples.length} of ${r.dev.chip.samples} samples`);
  assert.ok(Math.abs(r.samples.length - 2000 / PERIOD) <= 1, `${r.samples.length} samples in 2 s at 104 Hz`);
  for (const d of spacings(r.samples)) assert.ok(Math.abs(d - PERIOD) < EPS, `spacing ${d} ms`);
  assert.deepEqual(r.feed.losses(), { gaps: 0, lostSamples: 0 });
  assert.deepEqual(r.warnings, []);
});

test('a reader later than the FIFO holds: one gap, reported with the exact number of samples lost', async () => {
  const r = await manualFeed();
  try {
    await drainUntil(r, 1000);
    const before = r.dev.chip.samples;
    r.clock.now += 4000; // 416 samples; the FIFO holds the newest 256
    await drainUntil(r, 6000);
    await r.feed.push({ t: T0 + 20_000, lat: 0, lon: 0 }, (s) => r.samples.push(s));
    const lost = r.dev.chip.samples - 1 - r.samples.length;
    assert.ok(lost > 100 && r.dev.chip.samples - before > 400, `lost ${lost}`);
    assert.deepEqual(r.feed.losses(), { gaps: 1, lostSamples: lost }, 'every sample taken is delivered or counted lost');
    const d = spacings(r.samples);
    const jumps = d.filter((x) => Math.abs(x - PERIOD) > EPS);
    assert.equal(jumps.length, 1, 'one gap');
    assert.ok(Math.abs(jumps[0]! - (lost + 1) * PERIOD) < EPS, `the gap spans the lost samples: ${jumps[0]} ms`);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, new RegExp(`FIFO overrun: ${lost} samples lost`));
  } finally {
    await r.feed.close();
  }
});

test('health: a FIFO overrun shows in the snapshot as a gap with its count; the sim, which cannot tell, shows none', async () => {
  const r = await manualFeed();
  const meter = new ImuRateMeter(() => r.clock.now);
  const metered = meteredImuFeed(r.feed, meter);
  const sources = { unit: '7f9c2ba4-e88f-4d0b-a63d-1c2a9e3f5b10', boot: 'b', fw: '0', commit: 'c', disk: { usage: async () => ({ totalB: 100, freeB: 50 }) }, thermal: { socTempC: async () => null }, gnss: () => ({ fix: 'none', satellites: 0, hdop: null, fixRateHz: 0, timeToFirstFixS: null }) as unknown as GnssStatus, gnssStart: null, extraWarnings: () => [], startedAt: 0 };
  try {
    await drainUntil(r, 500);
    r.clock.now += 3000;
    await drainUntil(r, 4000);
    const lost = r.feed.losses();
    assert.equal(lost.gaps, 1);
    const snap = healthSnapshot.parse(await healthSampler({ ...sources, imuSampleRateHz: () => meter.rateHz(), imuLosses: () => meter.losses() })());
    assert.deepEqual(snap.imu, { sampleRateHz: null, gaps: 1, lostSamples: lost.lostSamples });
    assert.ok(metered.losses, 'the metered feed passes losses on');
  } finally {
    await r.feed.close();
  }
  const simMeter = new ImuRateMeter();
  meteredImuFeed(new SimImuFeed(100), simMeter);
  const sim = healthSnapshot.parse(await healthSampler({ ...sources, imuSampleRateHz: () => null, imuLosses: () => simMeter.losses() })());
  assert.deepEqual(sim.imu, { sampleRateHz: null });
});
