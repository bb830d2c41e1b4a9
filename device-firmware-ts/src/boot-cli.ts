#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recoveryHeldAtBoot } from './hal/boot-buttons.js';
import { launcherLog } from './update/boot-log.js';
import { bootNotifier } from './update/boot-notify.js';
import { runLauncher } from './update/boot-launcher.js';

const USAGE = `usage: pitwall-boot --data-dir DIR [options] -- RUNTIME-ARGS...

The unit's launcher (what systemd starts): reads the boot-state record in DIR/boot, picks
runtime slot A or B (DIR/slots), counts a new slot's boot attempts, starts the slot's runtime
with RUNTIME-ARGS, watches it (watchdog, health gate) and falls back to the last good slot.

  --data-dir DIR        the unit's data directory (slots, boot record)
  --trial-s N           seconds a new slot must be up and healthy before it is committed (60)
  --watchdog-s N        a runtime silent this long is killed as hung (10; keep below WatchdogSec)
  --start-timeout-s N   a runtime not ready this long after its start is hung (120)
  --gnss-window-s N     on trial, fixes must have arrived within the last N s (min(5, trial))

Held at power-on, the recovery button starts recovery mode (dist/recovery/recovery-cli.js, beside
this launcher, outside the slots) with RUNTIME-ARGS instead of a slot; RUNTIME-ARGS starting with
\`sim\` reads the sim's button (DATA_DIR/sim/power-on.json).

One JSON line on stdout per decision: {"launcher":"boot"|"committed"|"rolled-back"|...}.`;

function seconds(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new Error(`${name} must be a number of seconds in (0, 86400], got "${v.slice(0, 20)}"`);
  return n;
}

function main(): void {
  let values: Record<string, string | boolean | undefined>;
  let runtimeArgs: string[];
  try {
    const parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        'trial-s': { type: 'string' },
        'watchdog-s': { type: 'string' },
        'start-timeout-s': { type: 'string' },
        'gnss-window-s': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    runtimeArgs = parsed.positionals;
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (typeof values['data-dir'] !== 'string') throw new Error('--data-dir is required');
  } catch (err) {
    process.stderr.write(`pitwall-boot: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  let options;
  try {
    options = {
      trialS: seconds(values['trial-s'] as string | undefined, '--trial-s', 60),
      watchdogS: seconds(values['watchdog-s'] as string | undefined, '--watchdog-s', 10),
      startTimeoutS: seconds(values['start-timeout-s'] as string | undefined, '--start-timeout-s', 120),
      gnssWindowS: values['gnss-window-s'] === undefined ? undefined : seconds(values['gnss-window-s'] as string, '--gnss-window-s', 5),
    };
  } catch (err) {
    process.stderr.write(`pitwall-boot: ${(err as Error).message}\n`);
    process.exit(2);
  }
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  process.on('SIGTERM', () => stop());
  process.on('SIGINT', () => stop());
  // logrotate has systemd send SIGHUP to the service's main process, the launcher: it is the
  // runtime's to act on (it reopens its log file).
  let runtime: ChildProcess | null = null;
  process.on('SIGHUP', () => runtime?.kill('SIGHUP'));
  const dataDir = resolve(values['data-dir'] as string);
  runLauncher({
    dataDir,
    runtimeArgs,
    ...options,
    notifier: bootNotifier(),
    log: launcherLog(),
    emit: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
    stopSignal,
    onSpawn: (child) => (runtime = child),
    recovery: {
      held: () => recoveryHeldAtBoot(runtimeArgs[0] === 'sim' ? 'sim' : 'real', dataDir),
      entry: fileURLToPath(new URL('./recovery/recovery-cli.js', import.meta.url)),
    },
  }).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`pitwall-boot: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}

main();
