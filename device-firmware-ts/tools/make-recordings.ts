/**
 * Builds the NMEA recordings shipped in resources/recordings/ (see ORIGIN.md there).
 *   node --import tsx device-firmware-ts/tools/make-recordings.ts
 * Inputs come from testdata/ (or `--input DIR` of the same layout; MIT-licensed sources only).
 * Output is deterministic.
 */
import { readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withChecksum } from '../src/pipeline/nmea-sentence.js';
import { seededRandom } from '../src/hal/sim/seeded-random.js';
import { inputDir, repoRoot } from './input-dir.js';

const input = inputDir([join('laps', 'korellas_everland_aim_solo'), join('tracks', 'zaggyai_track_data')]);
const outDir = join(repoRoot, 'resources', 'recordings');

interface Sample {
  tMs: number; // ms since the recording's start instant
  lat: number;
  lon: number;
  speedMps: number;
  courseDeg: number;
  altM: number;
}

interface NmeaStyle {
  talker: 'GP' | 'GN';
  startUtcMs: number;
  noFixSeconds: number;
  seed: number;
}

// ---------- NMEA writing ----------

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function hhmmss(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.${pad(Math.floor(d.getUTCMilliseconds() / 10))}`;
}

function ddmmyy(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCFullYear() % 100)}`;
}

function latField(lat: number): string {
  const a = Math.abs(lat);
  const deg = Math.floor(a);
  return `${pad(deg)}${((a - deg) * 60).toFixed(5).padStart(8, '0')},${lat >= 0 ? 'N' : 'S'}`;
}

function lonField(lon: number): string {
  const a = Math.abs(lon);
  const deg = Math.floor(a);
  return `${pad(deg, 3)}${((a - deg) * 60).toFixed(5).padStart(8, '0')},${lon >= 0 ? 'E' : 'W'}`;
}

const prng = seededRandom;

function toNmea(samples: Sample[], style: NmeaStyle): string {
  const rand = prng(style.seed);
  const out: string[] = [];
  const T = style.talker;
  const prns = [2, 5, 7, 9, 13, 15, 18, 20, 23, 25, 29, 30];
  let sats = 10;
  let hdop = 0.9;
  const first = samples[0] as Sample;
  // Receiver still acquiring: no position, then the first fix.
  for (let i = 0; i < style.noFixSeconds * 10; i++) {
    const t = style.startUtcMs + i * 100;
    if (i % 10 === 0) {
      out.push(withChecksum(`${T}GSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99`));
      out.push(withChecksum(`GPGSV,1,1,${pad(Math.min(3, 1 + Math.floor(i / 20)))},02,12,045,18,05,33,120,21,07,08,300,`));
    }
    out.push(withChecksum(`${T}GGA,${hhmmss(t)},,,,,0,00,99.99,,M,,M,,`));
    out.push(withChecksum(`${T}RMC,${hhmmss(t)},V,,,,,,,${ddmmyy(t)},,,N`));
  }
  const base = style.startUtcMs + style.noFixSeconds * 1000;
  let lastSecond = -1;
  for (const s of samples) {
    const t = base + s.tMs - first.tMs;
    const second = Math.floor(t / 1000);
    const pos = `${latField(s.lat)},${lonField(s.lon)}`;
    const knots = (s.speedMps * 3600) / 1852;
    if (second !== lastSecond) {
      lastSecond = second;
      sats = Math.max(8, Math.min(12, sats + (rand() < 0.15 ? (rand() < 0.5 ? -1 : 1) : 0)));
      hdop = Math.max(0.6, Math.min(1.4, hdop + (rand() - 0.5) * 0.1));
    }
    out.push(withChecksum(`${T}GGA,${hhmmss(t)},${pos},1,${pad(sats)},${hdop.toFixed(2)},${s.altM.toFixed(1)},M,18.4,M,,`));
    out.push(withChecksum(`${T}RMC,${hhmmss(t)},A,${pos},${knots.toFixed(3)},${s.courseDeg.toFixed(2)},${ddmmyy(t)},,,A`));
    if (t % 1000 < 100) {
      const used = prns.slice(0, sats).map((prn) => pad(prn));
      while (used.length < 12) used.push('');
      out.push(withChecksum(`${T}GSA,A,3,${used.join(',')},${(hdop * 1.6).toFixed(2)},${hdop.toFixed(2)},${(hdop * 1.3).toFixed(2)}`));
      const inView = sats + 2;
      const msgs = Math.ceil(inView / 4);
      for (let m = 1; m <= msgs; m++) {
        const sv = [];
        for (let k = (m - 1) * 4; k < Math.min(m * 4, inView); k++) {
          const prn = k < prns.length ? (prns[k] as number) : 31 + k;
          sv.push(`${pad(prn)},${pad(10 + ((k * 17) % 75))},${pad((k * 53) % 360, 3)},${k < sats ? 30 + ((k * 7) % 18) : ''}`);
        }
        out.push(withChecksum(`GPGSV,${msgs},${m},${pad(inView)},${sv.join(',')}`));
      }
    }
  }
  return out.join('\r\n') + '\r\n';
}

// ---------- geometry ----------

const R = 6_371_000;
const rad = (d: number) => (d * Math.PI) / 180;

function bearingDeg(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

// ---------- 1. Everland, AiM Solo (real) ----------

function everland(): string {
  const dir = join(input, 'laps', 'korellas_everland_aim_solo');
  const rows = readFileSync(join(dir, 'everland_3laps_aim_solo.csv'), 'utf8').trim().split('\n').slice(1);
  // Lap times from the dataset's reference values: lap k starts where lap k-1 ended.
  const lapTimes = [138_948, 141_620, 142_156];
  const lapStart = [0, lapTimes[0] as number, (lapTimes[0] as number) + (lapTimes[1] as number)];
  const pts = rows.map((r) => {
    const [lap, , lat, lon, ms, kmh] = r.split(',').map(Number) as number[];
    return { tMs: (lapStart[lap as number] as number) + (ms as number), lat: lat as number, lon: lon as number, speedMps: (kmh as number) / 3.6 };
  });
  const samples: Sample[] = pts.map((p, i) => {
    const next = pts[i + 1] ?? p;
    const prev = pts[i - 1] ?? p;
    return { ...p, courseDeg: bearingDeg(i + 1 < pts.length ? p : prev, i + 1 < pts.length ? next : p), altM: 262.0 };
  });
  copyFileSync(join(dir, 'LICENSE.MIT.txt'), join(outDir, 'LICENSE.korellas-everland.MIT.txt'));
  // 2024-05-18 02:00:00 UTC (11:00 local): a plausible track-day morning; the source has no date.
  return toNmea(samples, { talker: 'GP', startUtcMs: Date.UTC(2024, 4, 18, 2, 0, 0), noFixSeconds: 4, seed: 1 });
}

// ---------- 2. Synthetic laps along a track outline ----------

interface DriveParams {
  file: string;
  laps: number;
  vMax: number; // m/s
  latAcc: number; // m/s^2 lateral grip
  accel: number; // m/s^2
  brake: number; // m/s^2
  startUtcMs: number;
  talker: 'GP' | 'GN';
  seed: number;
}

function synthetic(p: DriveParams): string {
  const track = JSON.parse(readFileSync(join(input, 'tracks', 'zaggyai_track_data', 'data', p.file), 'utf8')) as {
    pts: { lat: number; lon: number; elev: number }[];
  };
  const geo = track.pts.map((q) => ({ lat: q.lat * 1e-7, lon: q.lon * 1e-7, alt: q.elev / 1000 }));
  const lat0 = (geo[0] as { lat: number }).lat;
  const lon0 = (geo[0] as { lon: number }).lon;
  const toXY = (g: { lat: number; lon: number }) => ({ x: rad(g.lon - lon0) * R * Math.cos(rad(lat0)), y: rad(g.lat - lat0) * R });
  let ctrl = geo.map((g) => ({ ...toXY(g), alt: g.alt }));
  const last = ctrl.at(-1) as { x: number; y: number };
  if (Math.hypot(last.x - (ctrl[0] as { x: number }).x, last.y - (ctrl[0] as { y: number }).y) < 1) ctrl = ctrl.slice(0, -1);
  // Closed centripetal-ish Catmull-Rom through the outline, sampled densely, then resampled every 1 m.
  const n = ctrl.length;
  const dense: { x: number; y: number; alt: number }[] = [];
  for (let i = 0; i < n; i++) {
    const p0 = ctrl[(i - 1 + n) % n]!, p1 = ctrl[i]!, p2 = ctrl[(i + 1) % n]!, p3 = ctrl[(i + 2) % n]!;
    for (let s = 0; s < 40; s++) {
      const t = s / 40, t2 = t * t, t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) => 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      dense.push({ x: f(p0.x, p1.x, p2.x, p3.x), y: f(p0.y, p1.y, p2.y, p3.y), alt: p1.alt + (p2.alt - p1.alt) * t });
    }
  }
  const path: { x: number; y: number; alt: number }[] = [dense[0]!];
  let carry = 0;
  for (let i = 1; i <= dense.length; i++) {
    const a = dense[i - 1]!, b = dense[i % dense.length]!;
    let seg = Math.hypot(b.x - a.x, b.y - a.y);
    let from = a;
    while (carry + seg >= 1) {
      const need = 1 - carry;
      const k = need / seg;
      const q = { x: from.x + (b.x - from.x) * k, y: from.y + (b.y - from.y) * k, alt: from.alt + (b.alt - from.alt) * k };
      path.push(q);
      seg -= need;
      from = q;
      carry = 0;
    }
    carry += seg;
  }
  const m = path.length;
  // Curvature from the heading change over +-8 m; speed limit from lateral grip.
  const heading = path.map((q, i) => {
    const nx = path[(i + 1) % m]!;
    return Math.atan2(nx.y - q.y, nx.x - q.x);
  });
  const W = 8;
  const vLimit = path.map((_, i) => {
    let dh = heading[(i + W) % m]! - heading[(i - W + m) % m]!;
    dh = Math.atan2(Math.sin(dh), Math.cos(dh));
    const k = Math.abs(dh) / (2 * W);
    return Math.min(p.vMax, k > 1e-6 ? Math.sqrt(p.latAcc / k) : p.vMax);
  });
  // Acceleration and braking limits, twice around so the wrap settles.
  const v = [...vLimit];
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < 2 * m; i++) {
      const a = i % m, b = (i + 1) % m;
      v[b] = Math.min(v[b]!, Math.sqrt(v[a]! ** 2 + 2 * p.accel));
    }
    for (let i = 2 * m; i > 0; i--) {
      const a = i % m, b = (i - 1) % m;
      v[b] = Math.min(v[b]!, Math.sqrt(v[a]! ** 2 + 2 * p.brake));
    }
  }
  const rand = prng(p.seed);
  const samples: Sample[] = [];
  let t = 0;
  let nextSample = 0;
  for (let lap = 0; lap < p.laps; lap++) {
    const pace = 0.97 + rand() * 0.05; // each lap a little different
    for (let i = 0; i < m; i++) {
      const a = path[i]!, b = path[(i + 1) % m]!;
      const va = v[i]! * pace, vb = v[(i + 1) % m]! * pace;
      const dt = 2 / (va + vb); // 1 m at the mean speed
      while (nextSample <= t + dt) {
        const k = (nextSample - t) / dt;
        const x = a.x + (b.x - a.x) * k, y = a.y + (b.y - a.y) * k;
        samples.push({
          tMs: Math.round(nextSample * 1000),
          lat: lat0 + (y / R) * (180 / Math.PI),
          lon: lon0 + (x / (R * Math.cos(rad(lat0)))) * (180 / Math.PI),
          speedMps: va + (vb - va) * k,
          courseDeg: ((90 - (heading[i]! * 180) / Math.PI) % 360 + 360) % 360,
          altM: a.alt + (b.alt - a.alt) * k,
        });
        nextSample = Math.round((nextSample + 0.1) * 10) / 10;
      }
      t += dt;
    }
  }
  return toNmea(samples, { talker: p.talker, startUtcMs: p.startUtcMs, noFixSeconds: 3, seed: p.seed });
}

function main(): void {
  const zaggy = join(input, 'tracks', 'zaggyai_track_data');
  copyFileSync(join(zaggy, 'LICENSE.MIT.txt'), join(outDir, 'LICENSE.zaggyai-track-data.MIT.txt'));
  const find = (prefix: string) => readdirSync(join(zaggy, 'data')).find((f) => f.startsWith(prefix))!;
  const outputs: [string, string][] = [
    ['everland-aim-solo.nmea', everland()],
    [
      'synthetic-sonoma-raceway.nmea',
      synthetic({ file: find('f5e4039c9ab6'), laps: 3, vMax: 58, latAcc: 13, accel: 4.5, brake: 10, startUtcMs: Date.UTC(2024, 6, 6, 17, 30), talker: 'GN', seed: 7 }),
    ],
    [
      'synthetic-orlando-kart-center.nmea',
      synthetic({ file: find('38a7d9114d10'), laps: 4, vMax: 24, latAcc: 11, accel: 3, brake: 7, startUtcMs: Date.UTC(2024, 2, 9, 15, 10), talker: 'GP', seed: 11 }),
    ],
  ];
  for (const [name, text] of outputs) {
    writeFileSync(join(outDir, name), text);
    console.log(`${name}: ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length - 1} lines`);
  }
}

main();
