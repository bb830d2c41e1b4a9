// Records per second through the unit's logger (redaction on, JSON lines to a file, ring
// buffer) against plain pino writing the same records to /dev/null, in the same run.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createUnitLogger } from '../device-firmware-ts/src/index.js';

const N = 200_000;
const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
const fields = (i: number) => ({ lat: 37.2931 + i * 1e-7, lon: 127.2017, speedMps: 31.4, satellites: 14, hdop: 0.8, lap: i >> 12 });

async function drained(flush: (cb: (err?: Error) => void) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => flush((err) => (err ? reject(err) : resolve())));
}

async function unitLoggerRate(dir: string): Promise<{ perS: number; bytes: number }> {
  const logger = createUnitLogger({ file: join(dir, 'pitwall.log'), fw: '0.1.0', commit: 'abcdef0', unit: UNIT, stderrLevel: null });
  logger.redactor.addSecret('Tr4ckDay-Wifi!');
  const log = logger.for('gnss');
  const t0 = performance.now();
  for (let i = 0; i < N; i++) log.info(`fix ${i} from the receiver`, fields(i));
  await logger.close();
  const s = (performance.now() - t0) / 1000;
  return { perS: N / s, bytes: (await stat(join(dir, 'pitwall.log'))).size };
}

async function pinoDevNullRate(): Promise<number> {
  const dest = pino.destination({ dest: '/dev/null', sync: false, minLength: 0 });
  const p = pino({ base: { fw: '0.1.0', commit: 'abcdef0', unit: UNIT }, messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime }, dest).child({ subsystem: 'gnss' });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) p.info(fields(i), `fix ${i} from the receiver`);
  await drained((cb) => dest.flush(cb));
  dest.end();
  return N / ((performance.now() - t0) / 1000);
}

export async function runLoggingBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-bench-log-'));
  try {
    await pinoDevNullRate(); // warm-up
    const base = await pinoDevNullRate();
    const unit = await unitLoggerRate(dir);
    console.log(`records:                      ${N}`);
    console.log(`pino -> /dev/null:            ${Math.round(base).toLocaleString('en')} records/s`);
    console.log(`unit logger -> file (redact): ${Math.round(unit.perS).toLocaleString('en')} records/s (${(unit.bytes / N).toFixed(0)} B/record)`);
    console.log(`ratio unit/pino:              ${(unit.perS / base).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
