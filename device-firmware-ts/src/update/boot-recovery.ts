import { spawn } from 'node:child_process';
import type { BootNotifier } from './boot-notify.js';

export interface RecoveryBoot {
  /** Whether the recovery button is held now (read at each boot, before a slot is chosen). */
  held: () => Promise<boolean>;
  /** Recovery mode's entry: it ships with the launcher, outside the slots, so updates never touch it. */
  entry: string;
}

/**
 * Runs recovery mode instead of a runtime slot: `node ENTRY RUNTIME-ARGS` until it exits (the
 * operator restarts the unit) or the launcher is stopped. The boot record is not touched here:
 * no slot is booted, no trial attempt spent. The launcher keeps its own watchdog fed meanwhile
 * (recovery has no beat of its own: a stuck recovery is left for a person at the unit).
 */
export async function runRecovery(o: { recovery: RecoveryBoot; runtimeArgs: string[]; notifier: BootNotifier; stopSignal: Promise<void> }): Promise<'stopped' | 'exited'> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NOTIFY_SOCKET;
  delete env.PITWALL_BOOT_NOTIFY;
  const child = spawn(process.execPath, [o.recovery.entry, ...o.runtimeArgs], { stdio: ['ignore', 'inherit', 'inherit'], env });
  o.notifier.ready('recovery mode');
  o.notifier.status('recovery mode (the recovery button was held at boot)');
  const feed = setInterval(() => o.notifier.watchdog(), 1000);
  const exited = new Promise<'exited'>((resolve) => {
    child.once('exit', () => resolve('exited'));
    child.once('error', () => resolve('exited'));
  });
  const how = await Promise.race([exited, o.stopSignal.then(() => 'stopped' as const)]);
  clearInterval(feed);
  if (how === 'stopped' && child.exitCode === null && child.signalCode === null) {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(hard);
  }
  return how;
}
