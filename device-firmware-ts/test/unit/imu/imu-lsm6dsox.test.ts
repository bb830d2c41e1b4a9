import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lsm6dsox, SimImu, SimImuFeed, type TrajectoryPoint } from '../../../src/index.js';
import { FakeLsm6dsox } from '../../helpers/fake-lsm6dsox.js';

const noSleep = async () => {};
const G = 9.80665;

test('init checks WHO_AM_I, resets, and configures 104 Hz, +-4 g, +-500 dps with BDU and auto-increment', async () => {
  const chip = new FakeLsm6dsox();
  const imu = new Lsm6dsox(chip, { sleep: noSleep });
  await imu.init();
  // Values from the datasheet tables, written out here rather than taken from the driver.
  assert.equal(chip.regs[0x10], 0x48, 'CTRL1_XL: ODR 0100 (104 Hz), FS 10 (+-4 g)');
  assert.equal(chip.regs[0x11], 0x44, 'CTRL2_G: ODR 0100 (104 Hz), FS 01 (+-500 dps)');
  assert.equal(chip.regs[0x12], 0x44, 'CTRL3_C: BDU | IF_INC');
  assert.deepEqual(chip.writes[0], { register: 0x12, value: 0x01 }, 'software reset first');
});

test('the rate is configurable; unsupported rates and ranges are refused up front', async () => {
  const chip = new FakeLsm6dsox();
  await new Lsm6dsox(chip, { odrHz: 208, accelRangeG: 16, gyroRangeDps: 2000, sleep: noSleep }).init();
  assert.equal(chip.regs[0x10], 0x54);
  assert.equal(chip.regs[0x11], 0x5c);
  assert.throws(() => new Lsm6dsox(chip, { odrHz: 100 }), /104/);
  assert.throws(() => new Lsm6dsox(chip, { accelRangeG: 3 }), RangeError);
});

test('a wrong chip or a silent bus is reported clearly', async () => {
  const other = new FakeLsm6dsox();
  other.whoAmI = 0x69; // LSM6DS3
  await assert.rejects(new Lsm6dsox(other, { sleep: noSleep }).init(), /WHO_AM_I is 0x69, expected 0x6c/);
  const silent = new FakeLsm6dsox();
  silent.nak = true;
  await assert.rejects(new Lsm6dsox(silent, { sleep: noSleep }).init(), { code: 'EIO' });
  await assert.rejects(new Lsm6dsox(new FakeLsm6dsox(0x6b), { sleep: noSleep }).init(), /no ACK from 0x6a/);
});

test('samples are read in one 12-byte block only when data is ready, scaled to m/s^2 and deg/s', async () => {
  const chip = new FakeLsm6dsox();
  const imu = new Lsm6dsox(chip, { sleep: noSleep });
  await imu.init();
  assert.equal(await imu.read(), null, 'no sample before the first ODR tick');
  chip.motion = { accelMps2: [3.2, -12.5, G], gyroDps: [10, -250.5, 499] };
  chip.advance(0);
  const s = await imu.read();
  assert.ok(s);
  assert.equal(chip.blockReads, 1);
  s.accelMps2.forEach((v, i) => assert.ok(Math.abs(v - chip.motion.accelMps2[i]!) <= 0.122e-3 * G, `accel ${i}: ${v}`));
  s.gyroDps.forEach((v, i) => assert.ok(Math.abs(v - chip.motion.gyroDps[i]!) <= 17.5e-3, `gyro ${i}: ${v}`));
  assert.equal(await imu.read(), null, 'data-ready bits are cleared by reading the outputs');
  chip.advance(1000 / 104 + 0.01);
  assert.ok(await imu.read(), 'next ODR tick brings a new sample');
});

test('out-of-range motion saturates at full scale instead of wrapping', async () => {
  const chip = new FakeLsm6dsox();
  const imu = new Lsm6dsox(chip, { sleep: noSleep });
  await imu.init();
  chip.motion = { accelMps2: [100, -100, 0], gyroDps: [900, -900, 0] };
  chip.advance(0);
  const s = await imu.readOutputs();
  assert.ok(s.accelMps2[0] > 3.9 * G && s.accelMps2[1] < -3.9 * G);
  assert.ok(s.gyroDps[0] > 499 && s.gyroDps[1] < -499);
});

test('without auto-increment a block read repeats one register, as the chip does', async () => {
  const chip = new FakeLsm6dsox();
  const imu = new Lsm6dsox(chip, { sleep: noSleep });
  await imu.init();
  await chip.writeRegister(0x6a, 0x12, 0x40); // BDU only
  chip.motion = { accelMps2: [1, 2, 3], gyroDps: [100, 200, 300] };
  chip.advance(0);
  const b = await chip.readBlock(0x6a, 0x22, 4);
  assert.equal(b[0], b[1]);
  assert.equal(b[1], b[2]);
});

/** A circle of radius r driven at v, counter-clockwise seen from above (a left-hand bend), 10 Hz fixes. */
function circle(r: number, v: number, seconds: number): TrajectoryPoint[] {
  const out: TrajectoryPoint[] = [];
  const lat0 = 37.3;
  const mPerDegLat = 111_195;
  const mPerDegLon = mPerDegLat * Math.cos((lat0 * Math.PI) / 180);
  for (let i = 0; i <= seconds * 10; i++) {
    const th = (v / r) * (i / 10); // angle travelled
    // Starts at (r, 0) from the centre heading north, turning left: the course decreases.
    const x = r * Math.cos(th);
    const y = r * Math.sin(th);
    out.push({ t: i * 100, lat: lat0 + y / mPerDegLat, lon: 127 + x / mPerDegLon, speedMps: v, courseDeg: ((((-th * 180) / Math.PI) % 360) + 360) % 360 });
  }
  return out;
}

test('sim IMU: the real driver reads yaw rate and lateral acceleration of a bend at 100 Hz', async () => {
  const r = 50;
  const v = 20;
  const sim = new SimImu(circle(r, v, 20));
  const imu = new Lsm6dsox(sim.chip, { sleep: noSleep });
  await imu.init();
  const samples = [];
  for (let t = 1000; t < 19_000; t += 10) {
    sim.advance(t);
    const s = await imu.read();
    if (s) samples.push(s);
  }
  assert.ok(Math.abs(samples.length - 1800) <= 1, `${samples.length} samples in 18 s`);
  const yaw = (v / r) * (180 / Math.PI); // counter-clockwise about z-up is positive
  const mid = samples[900]!;
  assert.ok(Math.abs(mid.gyroDps[2] - yaw) < 0.5, `yaw ${mid.gyroDps[2]} vs ${yaw}`);
  assert.ok(Math.abs(mid.accelMps2[1] - (v * v) / r) < 0.2, `lateral ${mid.accelMps2[1]} vs ${(v * v) / r}: +y is left, into the bend`);
  assert.ok(Math.abs(mid.accelMps2[0]) < 0.1, 'constant speed: no longitudinal acceleration');
  assert.ok(Math.abs(mid.accelMps2[2] - G) < 0.01);
});

test('sim IMU: braking shows as negative longitudinal acceleration; the rate is configurable', async () => {
  const pts: TrajectoryPoint[] = [];
  for (let i = 0; i <= 50; i++) pts.push({ t: i * 100, lat: 37 + i * 1e-5, lon: 127, speedMps: 30 - 0.8 * i, courseDeg: 0 });
  const sim = new SimImu(pts, { rateHz: 200 });
  const imu = new Lsm6dsox(sim.chip, { sleep: noSleep });
  await imu.init();
  let n = 0;
  let last = null;
  for (let t = 500; t < 4500; t += 1) {
    sim.advance(t);
    const s = await imu.read();
    if (s) {
      n++;
      last = s;
    }
  }
  assert.ok(Math.abs(n - 800) <= 1, `${n} samples in 4 s at 200 Hz`);
  assert.ok(last && Math.abs(last.accelMps2[0] + 8) < 0.05, `long ${last?.accelMps2[0]}`);
  assert.ok(Math.abs(last.gyroDps[2]) < 0.05);
});

test('sim IMU feed: a fix after a gap, pushed while the last run still samples, restarts the clock and ends', async () => {
  const feed = new SimImuFeed(100);
  await feed.init();
  const t0 = Date.parse('2026-06-01T10:00:00Z');
  const at = (t: number): TrajectoryPoint => ({ t, lat: 37.2961, lon: 127.2068, speedMps: 20, courseDeg: 90 });
  const samples: number[] = [];
  const onSample = (s: { t: number }) => void samples.push(s.t);
  void feed.push(at(t0), onSample);
  void feed.push(at(t0 + 1000), onSample);
  // Not awaited: the 1 s run above is still sampling when the 6 s gap arrives (Everland's log has such gaps).
  const done = feed.push(at(t0 + 7000), onSample);
  const ended = await Promise.race([done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5000).unref())]);
  assert.ok(ended, 'the feed finished sampling');
  assert.ok(samples.every((t) => t >= t0), `no sample before the first fix (first ${samples[0]})`);
  assert.equal(samples.filter((t) => t > t0 + 1000 && t < t0 + 7000).length, 0, 'the gap is not filled');
  assert.ok(Math.abs(samples.filter((t) => t <= t0 + 1000).length - 101) <= 1, `${samples.length} samples`);
});
