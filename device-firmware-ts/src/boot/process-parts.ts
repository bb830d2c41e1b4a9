import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from '../version.js';
import { startHangWatchdog, type HangWatchdog } from '../ops/hang-watchdog.js';
import type { Ops } from '../ops/ops-boot.js';
import { Part, type Subsystem } from './subsystem.js';

// The process-wide parts of a boot: only the CLI's unit installs them (in-process tests do not).

/**
 * SIGHUP reopens the log file for logrotate. Its postrotate has systemd send the signal to the
 * service's main process: no pid file, which root would have to trust.
 */
export function reopenSignal(ops: Ops): Subsystem {
  const onHup = () => {
    ops.logger.reopen();
    ops.logger.for('boot').info('log file reopened (SIGHUP)');
  };
  return new Part(
    'reopen-signal',
    () => void process.on('SIGHUP', onHup),
    () => void process.off('SIGHUP', onHup),
  );
}

/** A worker thread that dumps and kills the unit when the event loop is blocked for `hangS`. */
export function hangWatchdog(o: { hangS: number; dataDir: string; ops: Ops; unit: () => string; started: (w: HangWatchdog) => void }): Subsystem {
  const { logger, state } = o.ops;
  return new Part(
    'hang-watchdog',
    () => {
      const w = startHangWatchdog({ hangS: o.hangS, dataDir: o.dataDir, logFile: logger.file, unit: o.unit(), boot: logger.boot, fw: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT });
      o.started(w);
      const stateTimer = setInterval(() => w.setState({ ...state }), 1000);
      stateTimer.unref();
      return { w, stateTimer };
    },
    async ({ w, stateTimer }) => {
      clearInterval(stateTimer);
      await w.stop();
    },
  );
}
