import { Worker } from 'node:worker_threads';

export interface HangWatchdog {
  /** The last known state, kept by the watchdog for its dump (the main thread may be blocked then). */
  setState(state: Record<string, unknown>): void;
  stop(): Promise<void>;
}

export interface HangWatchdogOptions {
  hangS: number;
  dataDir: string;
  logFile: string;
  unit: string;
  boot: string;
  fw: string;
  commit: string;
}

/** What the watchdog thread (hang-worker.ts) is started with: the heartbeat it watches, the limit, and what its dump names. */
export type HangWorkerData = Omit<HangWatchdogOptions, 'hangS'> & { heartbeat: SharedArrayBuffer; hangMs: number };

/** Heartbeat from the main thread into shared memory; a worker thread watches it. */
export function startHangWatchdog(o: HangWatchdogOptions): HangWatchdog {
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new BigInt64Array(heartbeat);
  const tick = () => Atomics.store(beat, 0, BigInt(Date.now()));
  tick();
  const hangMs = Math.round(o.hangS * 1000);
  const interval = setInterval(tick, Math.max(20, Math.min(1000, hangMs / 5)));
  interval.unref();
  const worker = new Worker(new URL('./hang-worker.js', import.meta.url), {
    workerData: { heartbeat, hangMs, dataDir: o.dataDir, logFile: o.logFile, unit: o.unit, boot: o.boot, fw: o.fw, commit: o.commit } satisfies HangWorkerData,
  });
  worker.unref();
  worker.on('error', (err) => process.stderr.write(`hang watchdog: ${err.message}\n`));
  return {
    setState(state) {
      worker.postMessage({ state });
    },
    async stop() {
      worker.postMessage({ stop: true });
      clearInterval(interval);
      // Ended here, before the caller exits: a worker still running (or ending by itself) while
      // process.exit() tears the process down can deadlock the exit.
      await Promise.race([worker.terminate(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    },
  };
}
