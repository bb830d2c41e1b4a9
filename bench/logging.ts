// Records per CPU-second through the unit's logger (redaction on, JSON lines to a file, ring
// buffer) against plain pino writing the same records to /dev/null, in the same run. CPU time
// (process.cpuUsage: the main thread and the writes) rather than wall time, so other processes
// on a shared machine do not decide the figure.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createUnitLogger } from '../device-firmware-ts/src/index.js';

const N = 100_000;
const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
const fields = (i: number) => ({ lat: 37.2931 + i * 1e-7, lon: 127.2017, speedMps: 31.4, satellites: 14, hdop: 0.8, lap: i >> 12 });

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

async function drained(flush: (cb: (err?: Error) => void) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => flush((err) => (err ? reject(err) : resolve())));
}

async function unitLoggerRate(file: string): Promise<{ perS: number; bytes: number }> {
  const logger = createUnitLogger({ file, fw: '0.1.0', commit: 'abcdef0', unit: UNIT, stderrLevel: null });
  logger.redactor.addSecret('Tr4ckDay-Wifi!');
  const log = logger.for('gnss');
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) log.info(`fix ${i} from the receiver`, fields(i));
  await logger.close();
  const s = cpuSeconds(c0);
  return { perS: N / s, bytes: (await stat(file)).size };
}

async function pinoDevNullRate(): Promise<number> {
  const dest = pino.destination({ dest: '/dev/null', sync: false, minLength: 0 });
  const p = pino({ base: { fw: '0.1.0', commit: 'abcdef0', unit: UNIT }, messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime }, dest).child({ subsystem: 'gnss' });
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) p.info(fields(i), `fix ${i} from the receiver`);
  await drained((cb) => dest.flush(cb));
  dest.end();
  return N / cpuSeconds(c0);
}

// The machine is shared: the two are run in turns, several rounds, and the best round of each
// is compared (load that hits one round does not decide the ratio).
const ROUNDS = 4;

export async function runLoggingBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-bench-log-'));
  try {
    await pinoDevNullRate(); // warm-up
    let base = 0;
    let unit = { perS: 0, bytes: 0 };
    let unitNull = 0;
    for (let r = 0; r < ROUNDS; r++) {
      base = Math.max(base, await pinoDevNullRate());
      const u = await unitLoggerRate(join(dir, 'pitwall.log'));
      if (u.perS > unit.perS) unit = u;
      await rm(join(dir, 'pitwall.log'), { force: true });
      // The same logger to /dev/null: its own cost, without the file system's.
      unitNull = Math.max(unitNull, (await unitLoggerRate('/dev/null')).perS);
    }
    console.log(`records:                          ${N} a round, best of ${ROUNDS} rounds each`);
    console.log(`pino -> /dev/null:                ${Math.round(base).toLocaleString('en')} records/CPU-s`);
    console.log(`unit logger -> /dev/null (redact): ${Math.round(unitNull).toLocaleString('en')} records/CPU-s`);
    console.log(`unit logger -> file (redact):     ${Math.round(unit.perS).toLocaleString('en')} records/CPU-s (${(unit.bytes / N).toFixed(0)} B/record)`);
    console.log(`ratio unit/pino, both /dev/null:  ${(unitNull / base).toFixed(2)}`);
    console.log(`ratio unit to a file/pino:        ${(unit.perS / base).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
