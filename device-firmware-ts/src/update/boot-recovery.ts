import type { ChildProcess } from 'node:child_process';
import type { BootNotifier } from './boot-notify.js';
import { runWatchedProcess, type SlotOutcome } from './boot-slot-process.js';
import { RUNTIME_NODE_FLAGS } from './runtime-command.js';

export interface RecoveryBoot {
  /** Whether the recovery button is held now (read at each boot, before a slot is chosen). */
  held: () => Promise<boolean>;
  /** Recovery mode's entry: it ships with the launcher, outside the slots, so updates never touch it. */
  entry: string;
}

export interface RecoveryRunOptions {
  recovery: RecoveryBoot;
  runtimeArgs: string[];
  notifier: BootNotifier;
  /** The launcher's watchdog over recovery mode, as over a slot's runtime. */
  watchdogS: number;
  startTimeoutS: number;
  /** A beat came (throttled on to systemd's watchdog). */
  onBeat: () => void;
  stopSignal: Promise<void>;
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Runs recovery mode instead of a runtime slot: `node FLAGS ENTRY RUNTIME-ARGS` (PITWALL_RECOVERY=1,
 * Node IPC) under the same watchdog as a slot: it says ready, then beats; READY=1 goes to systemd
 * once it is up and every beat is relayed (WATCHDOG=1), so a recovery that hangs is killed here
 * ("hung") and one that takes the launcher with it is caught by systemd's WatchdogSec. The boot
 * record is not touched: no slot is booted, no trial attempt spent.
 */
export async function runRecovery(o: RecoveryRunOptions): Promise<SlotOutcome> {
  o.notifier.status('recovery mode starting (the recovery button was held at boot)');
  return runWatchedProcess({
    command: (env) => ({ file: process.execPath, args: [...RUNTIME_NODE_FLAGS, o.recovery.entry, ...o.runtimeArgs], env }),
    label: 'recovery mode',
    env: { PITWALL_RECOVERY: '1' },
    watchdogS: o.watchdogS,
    startTimeoutS: o.startTimeoutS,
    onBeat: o.onBeat,
    onReady: () => o.notifier.ready('recovery mode'),
    stopSignal: o.stopSignal,
    onSpawn: o.onSpawn,
  });
}
