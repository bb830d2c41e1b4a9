import { cpus, loadavg, totalmem, freemem } from 'node:os';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GnssStatus, HealthSnapshot, LicenseStatus } from '@pitwall/protocol';
import type { Disk } from '../hal/disk.js';
import type { Thermal } from '../hal/thermal.js';

export const HOT_C = 80;
export const DISK_LOW_PCT = 95;

export interface HealthSources {
  unit: string;
  boot: string;
  fw: string;
  commit: string;
  disk: Disk;
  thermal: Thermal;
  gnss: () => GnssStatus;
  /** 'cold' or 'warm', from the last boot's GNSS state. */
  gnssStart: 'cold' | 'warm' | null;
  imuSampleRateHz: () => number | null;
  /** The IMU's gaps and lost samples since start (absent or null: it cannot tell). */
  imuLosses?: () => { gaps: number; lostSamples: number } | null;
  /** Warnings raised elsewhere (e.g. debug logging stopped on low disk). */
  extraWarnings: () => string[];
  startedAt: number;
  /** The Wi-Fi mode and last connect time (absent: no Wi-Fi management). */
  wifi?: () => { mode: 'client' | 'hotspot'; connectTimeMs: number | null };
  /** The licence as last judged (absent: no licensing). */
  license?: () => LicenseStatus;
}

/** The licence's part of a snapshot, and its warnings (a licence that is not in force, a clock set back). */
function licenseHealth(l: LicenseStatus): { part: NonNullable<HealthSnapshot['license']>; warnings: string[] } {
  const warnings = l.state === 'active' || l.state === 'none' ? [] : [`license-${l.state}`];
  if (l.clock.tampered) warnings.push('clock-tampered');
  return { part: { state: l.state, daysLeft: l.daysLeft, clockTampered: l.clock.tampered }, warnings };
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

async function memAvailable(): Promise<number> {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return freemem();
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** Takes health snapshots; CPU % is measured between two calls (the first against boot). */
export function healthSampler(src: HealthSources): () => Promise<HealthSnapshot> {
  let prev = cpuTimes();
  return async () => {
    const now = cpuTimes();
    const dt = now.total - prev.total;
    const cpuPct = dt > 0 ? round(Math.max(0, Math.min(100, (100 * (dt - (now.idle - prev.idle))) / dt))) : 0;
    prev = now;
    const disk = await src.disk.usage();
    const usedPct = disk.totalB > 0 ? round((100 * (disk.totalB - disk.freeB)) / disk.totalB) : 0;
    const socTempC = await src.thermal.socTempC();
    const g = src.gnss();
    const recentFix = g.fix !== 'none' && g.fixRateHz > 0;
    const warnings = [...src.extraWarnings()];
    if (socTempC !== null && socTempC >= HOT_C) warnings.push('hot');
    if (usedPct >= DISK_LOW_PCT && !warnings.includes('disk-low')) warnings.push('disk-low');
    if (!recentFix) warnings.push('no-fix');
    const license = src.license ? licenseHealth(src.license()) : null;
    if (license) warnings.push(...license.warnings);
    return {
      time: new Date().toISOString(),
      unit: src.unit,
      boot: src.boot,
      fw: src.fw,
      commit: src.commit,
      uptimeS: round((performance.now() - src.startedAt) / 1000),
      cpuPct,
      load: loadavg().map((l) => round(l, 2)) as [number, number, number],
      memory: { totalB: totalmem(), availableB: await memAvailable() },
      socTempC: socTempC === null ? null : round(socTempC),
      dataPartition: { totalB: disk.totalB, freeB: disk.freeB, usedPct },
      gnss: {
        timeToFirstFixS: g.timeToFirstFixS,
        start: src.gnssStart,
        satellites: g.satellites,
        hdop: g.hdop,
        fixRateHz: g.fixRateHz,
      },
      imu: { sampleRateHz: src.imuSampleRateHz(), ...(src.imuLosses?.() ?? {}) },
      ...(src.wifi ? { wifi: src.wifi() } : {}),
      ...(license ? { license: license.part } : {}),
      clockSource: recentFix ? 'gnss' : existsSync('/run/systemd/timesync/synchronized') ? 'ntp' : 'none',
      warnings,
    };
  };
}

/**
 * Warm or cold start: warm when the last boot got a fix (DATA_DIR/state/gnss.json, written at
 * this boot's first fix).
 */
export async function gnssStartKind(dataDir: string): Promise<{ start: 'cold' | 'warm'; markFix: (lastFixTime: string | null) => Promise<void> }> {
  const dir = join(dataDir, 'state');
  const file = join(dir, 'gnss.json');
  let start: 'cold' | 'warm' = 'cold';
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as { hadFix?: unknown };
    if (s.hadFix === true) start = 'warm';
  } catch {
    /* no state: cold */
  }
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify({ hadFix: false }));
  return {
    start,
    markFix: (lastFixTime) => writeFile(file, JSON.stringify({ hadFix: true, lastFixTime })),
  };
}
