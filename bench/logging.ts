// Records per CPU-second through the unit's logger (pino with the unit's redaction: pino's paths
// plus the shared field-name and free-text rules, seq mixin, ring of recent records) against
// plain pino writing the same records, in the same process. The baseline has every pino option
// of the unit's that does the same work in both: base fields, level (debug), a child logger per
// subsystem, and UNIT_PINO_FORMAT (message key, ISO time, level names, the same redaction paths
// and censor). What it lacks (the shared free-text and field-name rules, seq by a mixin, the
// ring of recent records) is what the unit adds, and the ratio prices it.
//
// CPU time (process.cpuUsage) rather than wall time, so other processes on a shared machine do
// not decide the figure; and the two run in turns, a short round each, so load that hits one
// round hits both: the figure is the median of the per-round ratios, with their range.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger as Pino } from 'pino';
import type { Subsystem } from '@pitwall/protocol';
import { UNIT_PINO_FORMAT, createUnitLogger, type Logger } from '../device-firmware-ts/src/index.js';
import { SUBSYSTEMS, gnssFix, mixed, type Workload } from './logging-records.js';

const N = 20_000;
const ROUNDS = 15;
// Rounds of both first, not counted: until the JIT has settled the first rounds are slower.
const WARM_UP = 3;
const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
const BOOT = '6d1c8a4e-2b7f-4c3d-9e0a-5f6b7c8d9e0f';
const WIFI_PASSPHRASE = 'Tr4ckDay-Wifi!';

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

async function unitRate(file: string, records: Workload): Promise<number> {
  const logger = createUnitLogger({ file, boot: BOOT, fw: '0.1.0', commit: 'abcdef0', unit: UNIT, stderrLevel: null });
  // The unit registers the Wi-Fi passphrase it applies (a runtime secret, matched in every text).
  logger.redactor.addSecret(WIFI_PASSPHRASE);
  const logs = new Map<Subsystem, Logger>(SUBSYSTEMS.map((s) => [s, logger.for(s)]));
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const r = records(i);
    logs.get(r.subsystem)![r.level](r.msg, r.fields);
  }
  await logger.close();
  return N / cpuSeconds(c0);
}

async function pinoRate(file: string, records: Workload): Promise<number> {
  const dest = pino.destination({ dest: file, append: true, sync: false, minLength: 0 });
  const root = pino(
    { level: 'debug', base: { boot: BOOT, fw: '0.1.0', commit: 'abcdef0', unit: UNIT }, ...UNIT_PINO_FORMAT },
    dest,
  );
  const logs = new Map<Subsystem, Pino>(SUBSYSTEMS.map((s) => [s, root.child({ subsystem: s })]));
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const r = records(i);
    logs.get(r.subsystem)![r.level](r.fields, r.msg);
  }
  await new Promise<void>((resolve) => {
    dest.once('close', () => resolve());
    dest.end();
  });
  return N / cpuSeconds(c0);
}

interface Paired {
  pino: number;
  unit: number;
  ratios: number[];
}

/** WARM_UP rounds, then ROUNDS rounds of both, the order swapped each round; rates are medians, ratios per round. */
async function paired(file: () => Promise<string>, records: Workload): Promise<Paired> {
  for (let w = 0; w < WARM_UP; w++) {
    await pinoRate('/dev/null', records);
    await unitRate('/dev/null', records);
  }
  const p: number[] = [];
  const u: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) p.push(await pinoRate(await file(), records));
    u.push(await unitRate(await file(), records));
    if (r % 2 === 1) p.push(await pinoRate(await file(), records));
  }
  return { pino: median(p), unit: median(u), ratios: p.map((x, i) => u[i]! / x).sort((a, b) => a - b) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const rate = (x: number) => Math.round(x).toLocaleString('en').padStart(9);

function report(label: string, r: Paired): void {
  const range = `${r.ratios[0]!.toFixed(2)}-${r.ratios[r.ratios.length - 1]!.toFixed(2)}`;
  console.log(`${label.padEnd(34)} pino ${rate(r.pino)}/CPU-s  unit ${rate(r.unit)}/CPU-s  ratio ${median(r.ratios).toFixed(2)} (rounds ${range})`);
}

/**
 * Both loggers write the same records: one round of each to a file, then the lines compared
 * (the same fields and messages, apart from the unit's seq and what only the unit redacts).
 */
async function checkSameRecords(dir: string, records: Workload): Promise<void> {
  const lines = async (write: (f: string, w: Workload) => Promise<number>, name: string) => {
    const f = join(dir, name);
    await write(f, records);
    return (await readFile(f, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const p = await lines(pinoRate, 'pino.log');
  const u = await lines(unitRate, 'unit.log');
  if (p.length !== N || u.length !== N) throw new Error(`records written: pino ${p.length}, unit ${u.length}, not ${N}`);
  for (let i = 0; i < N; i++) {
    const { seq, time: ut, msg: um, ...unitRest } = u[i]!;
    const { time: pt, msg: pm, ...pinoRest } = p[i]!;
    const sameMsg = um === pm || String(um).includes('[redacted]');
    if (typeof seq !== 'number' || !sameMsg || JSON.stringify(unitRest) !== JSON.stringify(pinoRest) || !ut || !pt) {
      throw new Error(`record ${i} differs: pino ${JSON.stringify(p[i])}, unit ${JSON.stringify(u[i])}`);
    }
  }
}

export async function runLoggingBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-bench-log-'));
  const freshFile = async () => {
    const f = join(dir, 'round.log');
    await rm(f, { force: true });
    return f;
  };
  const devNull = async () => '/dev/null';
  try {
    await checkSameRecords(dir, mixed);
    console.log(`records: ${N} a round, ${ROUNDS} rounds of each logger in turns; ratio: unit/pino, median of the rounds`);
    report('gnss fixes -> /dev/null', await paired(devNull, gnssFix));
    report('mixed records -> /dev/null', await paired(devNull, mixed));
    report('mixed records -> a fresh file', await paired(freshFile, mixed));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
