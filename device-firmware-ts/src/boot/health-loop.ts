import type { Disk } from '../hal/disk.js';
import type { Thermal } from '../hal/thermal.js';
import type { CrashReporter } from '../ops/crash-reporter.js';
import { healthSampler, type HealthSources } from '../ops/health-sampler.js';
import type { HealthStore } from '../ops/health-store.js';
import type { UnitLogger } from '../ops/unit-logger.js';

export interface HealthLoopOptions extends Omit<HealthSources, 'disk' | 'thermal' | 'extraWarnings'> {
  disk: Disk;
  thermal: Thermal;
  store: HealthStore;
  logger: UnitLogger;
  reporter: CrashReporter | null;
  intervalS: number;
  /** Under this many free bytes on the data partition, debug logging stops. */
  diskLowB: number;
}

export interface HealthLoop {
  /** Checks free space now (the sim's disk override calls it). */
  checkDisk(): Promise<void>;
  stop(): void;
}

/** A health snapshot every `intervalS` (and one at once), with the low-disk switch for debug logging. */
export async function startHealthLoop(o: HealthLoopOptions): Promise<HealthLoop> {
  const { logger, diskLowB } = o;
  const log = logger.for('health');
  let diskLow = false;
  const checkDisk = async () => {
    const { freeB } = await o.disk.usage();
    const low = freeB < diskLowB;
    if (low === diskLow) return;
    diskLow = low;
    logger.setDebugEnabled(!low);
    if (low) log.warn(`data partition free space ${freeB} B under ${diskLowB} B: debug logging stopped`, { freeB, thresholdB: diskLowB });
    else log.info(`data partition free space ${freeB} B back over ${diskLowB} B: debug logging resumed`, { freeB });
  };
  await checkDisk();
  const sample = healthSampler({ ...o, extraWarnings: () => (diskLow ? ['disk-low', 'debug-logging-stopped'] : []) });
  const takeSnapshot = async () => {
    try {
      await checkDisk();
      const snap = await sample();
      await o.store.append(snap);
      log.debug('health snapshot', { cpuPct: snap.cpuPct, socTempC: snap.socTempC, usedPct: snap.dataPartition.usedPct, warnings: snap.warnings });
      if (o.reporter) await o.reporter.ingestReports();
    } catch (err) {
      log.warn(`health snapshot failed: ${(err as Error).message}`, { err });
    }
  };
  const timer = setInterval(() => void takeSnapshot(), o.intervalS * 1000);
  timer.unref();
  void takeSnapshot();
  return { checkDisk, stop: () => clearInterval(timer) };
}
