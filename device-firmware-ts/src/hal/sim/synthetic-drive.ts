/**
 * A seeded synthetic drive for the sim and for size and CPU measurements: laps of a rounded
 * rectangle circuit (~1.9 km) with braking and acceleration, GNSS fixes at `gnssHz` with a
 * little position noise, and IMU samples at `imuHz` derived by the sim IMU plus sensor noise.
 */
import type { SessionFix, SessionImuSample } from '@pitwall/protocol';
import { SimImu } from './sim-imu.js';
import { seededRandom } from './seeded-random.js';

export interface SyntheticDriveOptions {
  durationS: number;
  gnssHz?: number;
  imuHz?: number;
  seed?: number;
  startMs?: number;
}

export interface SyntheticDrive {
  fixes: SessionFix[];
  imu: SessionImuSample[];
}

const rng = seededRandom;

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Distance along the lap -> local x/y (m) and the speed target there. */
function circuit(s: number): { x: number; y: number; v: number } {
  const straight = 600;
  const r = 60;
  const arc = Math.PI * r;
  const lap = 2 * straight + 2 * arc;
  let d = ((s % lap) + lap) % lap;
  const corner = (u: number) => 22 + 18 * Math.min(1, Math.abs(u) / 120); // slow in the bends
  if (d < straight) return { x: d, y: 0, v: corner(Math.min(d, straight - d) - 0) + 20 * Math.min(1, Math.min(d, straight - d) / 200) };
  d -= straight;
  if (d < arc) return { x: straight + r * Math.sin(d / r), y: r - r * Math.cos(d / r), v: 22 };
  d -= arc;
  if (d < straight) return { x: straight - d, y: 2 * r, v: corner(Math.min(d, straight - d)) + 20 * Math.min(1, Math.min(d, straight - d) / 200) };
  d -= straight;
  return { x: -r * Math.sin(d / r), y: r + r * Math.cos(d / r), v: 22 };
}

export function syntheticDrive(opts: SyntheticDriveOptions): SyntheticDrive {
  const gnssHz = opts.gnssHz ?? 25;
  const imuHz = opts.imuHz ?? 100;
  const start = opts.startMs ?? Date.UTC(2024, 4, 18, 12, 0, 0);
  const rand = rng(opts.seed ?? 1);
  const lat0 = 28.4127;
  const lon0 = -81.3797;
  const mLat = 111_195;
  const mLon = mLat * Math.cos((lat0 * Math.PI) / 180);
  const truth: { t: number; lat: number; lon: number; speedMps: number; courseDeg: number }[] = [];
  let s = 0;
  let prev = circuit(0);
  const n = Math.round(opts.durationS * gnssHz);
  for (let i = 0; i <= n; i++) {
    const p = circuit(s);
    const course = i === 0 ? 90 : ((Math.atan2(p.x - prev.x, p.y - prev.y) * 180) / Math.PI + 360) % 360;
    truth.push({ t: start + (i * 1000) / gnssHz, lat: lat0 + p.y / mLat, lon: lon0 + p.x / mLon, speedMps: p.v, courseDeg: course });
    prev = p;
    s += p.v / gnssHz;
  }
  const fixes: SessionFix[] = truth.map((f) => ({
    t: f.t,
    fix: '3d',
    lat: f.lat + (gauss(rand) * 0.05) / mLat,
    lon: f.lon + (gauss(rand) * 0.05) / mLon,
    altM: 30 + gauss(rand) * 0.1,
    speedMps: Math.max(0, f.speedMps + gauss(rand) * 0.05),
    courseDeg: f.courseDeg,
    satellites: 14,
    hdop: 0.8,
  }));
  const sim = new SimImu(truth);
  const imu: SessionImuSample[] = [];
  const m = Math.round(opts.durationS * imuHz);
  for (let i = 0; i < m; i++) {
    const t = start + (i * 1000) / imuHz;
    const x = sim.motionAt(t);
    imu.push({
      t,
      accelMps2: [x.accelMps2[0] + gauss(rand) * 0.05, x.accelMps2[1] + gauss(rand) * 0.05, x.accelMps2[2] + gauss(rand) * 0.05],
      gyroDps: [gauss(rand) * 0.1, gauss(rand) * 0.1, x.gyroDps[2] + gauss(rand) * 0.1],
    });
  }
  return { fixes, imu };
}
