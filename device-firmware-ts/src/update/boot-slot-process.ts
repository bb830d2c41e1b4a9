import { spawn, type ChildProcess } from 'node:child_process';
import { runtimeToLauncher, type SlotManifest, type SlotName } from '@pitwall/protocol/update';
import { HealthGate, type GateVerdict } from './boot-health-gate.js';
import { slotRuntimeCommand } from './runtime-command.js';

/** How one run of a slot's runtime ended. */
export type SlotOutcome =
  | { kind: 'exited'; why: string }
  | { kind: 'hung'; why: string }
  | { kind: 'reboot' }
  | { kind: 'gate-failed'; why: string }
  | { kind: 'stopped' };

export interface SlotRunOptions {
  slot: SlotName;
  slotDir: string;
  manifest: SlotManifest;
  trial: boolean;
  runtimeArgs: string[];
  /** No beat for this long (after ready) is a hang: the runtime is killed. */
  watchdogS: number;
  /** No ready for this long after the start is a hang too. */
  startTimeoutS: number;
  trialS: number;
  gnssWindowS?: number;
  /** A beat came (the launcher relays it to its own watchdog). */
  onBeat: () => void;
  onReady: (apiUrl: string) => void;
  /** The trial's health gate passed: the launcher commits the slot (the runtime keeps running). */
  onGatePassed: () => Promise<void>;
  /** Resolves when the launcher itself is asked to stop. */
  stopSignal: Promise<void>;
  /** The runtime's process, once spawned (the launcher forwards SIGHUP to it). */
  onSpawn?: (child: ChildProcess) => void;
}

const STOP_GRACE_MS = 5000;

function endChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill(signal);
  });
}

/** What the launcher runs and watches: a slot's runtime, or recovery mode. */
/** The program the launcher starts, with its arguments and environment (given the launcher's, trimmed). */
export type RunCommand = (env: NodeJS.ProcessEnv) => { file: string; args: string[]; env: NodeJS.ProcessEnv };

export interface WatchedRunOptions extends Pick<SlotRunOptions, 'watchdogS' | 'startTimeoutS' | 'onBeat' | 'onReady' | 'stopSignal' | 'onSpawn'> {
  command: RunCommand;
  /** What the child is called in messages. */
  label: string;
  /** Added to the launcher's environment (which slot, a trial, recovery). */
  env: Record<string, string>;
  /** On trial: the health gate, and what to do when it passes. */
  gate?: { gate: HealthGate; onPassed: () => Promise<void> } | null;
}

/**
 * Starts a slot's runtime as a child process (Node IPC on fd 3) and watches it: its beats (the
 * watchdog), its exit, its reboot request and, on trial, the health gate. Resolves with how it
 * ended; the launcher records that and picks the next boot.
 */
export function runSlotProcess(o: SlotRunOptions): Promise<SlotOutcome> {
  return runWatchedProcess({
    ...o,
    command: (env) => slotRuntimeCommand(o.slotDir, o.manifest, o.runtimeArgs, env),
    label: `slot ${o.slot}`,
    env: { PITWALL_SLOT: o.slot, PITWALL_SLOT_VERSION: o.manifest.version, PITWALL_TRIAL: o.trial ? '1' : '0' },
    gate: o.trial ? { gate: new HealthGate({ trialS: o.trialS, gnssWindowS: o.gnssWindowS }), onPassed: o.onGatePassed } : null,
  });
}

/** Runs a command under the launcher's watchdog (ready within startTimeoutS, then a beat every watchdogS at most). */
export async function runWatchedProcess(o: WatchedRunOptions): Promise<SlotOutcome> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  // The child talks to the launcher only; systemd's socket and the sim's channel are the launcher's.
  delete env.NOTIFY_SOCKET;
  delete env.PITWALL_BOOT_NOTIFY;
  const cmd = o.command(env);
  const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: cmd.env });
  o.onSpawn?.(child);
  const gate = o.gate?.gate ?? null;
  let lastBeat = performance.now();
  let ready = false;
  let gateTimer: NodeJS.Timeout | undefined;
  const upS = () => `${Math.round((performance.now() - started) / 100) / 10} s`;

  return new Promise<SlotOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: SlotOutcome, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      clearTimeout(gateTimer);
      void (signal ? endChild(child, signal) : Promise.resolve()).then(() => resolve(outcome));
    };
    const watch = setInterval(() => {
      const silentMs = performance.now() - lastBeat;
      const limitMs = (ready ? o.watchdogS : o.startTimeoutS) * 1000;
      if (silentMs > limitMs) finish({ kind: 'hung', why: ready ? `hung: no watchdog beat for ${o.watchdogS} s (up ${upS()})` : `hung at start: not ready in ${o.startTimeoutS} s` }, 'SIGKILL');
    }, Math.max(50, Math.min(1000, (o.watchdogS * 1000) / 4)));

    const runGate = async () => {
      if (!gate || settled) return;
      const verdict: GateVerdict = await gate.decide();
      if (settled) return;
      if ('waitMs' in verdict) {
        gateTimer = setTimeout(() => void runGate(), verdict.waitMs);
        return;
      }
      // A commit that cannot be written (disk) is not the slot's fault: it runs on uncommitted,
      // and its next boot is another trial.
      if (verdict.pass) await o.gate!.onPassed().catch((err: Error) => process.stderr.write(`pitwall-boot: commit of ${o.label} failed: ${err.message}\n`));
      else finish({ kind: 'gate-failed', why: `health gate: ${verdict.why}` }, 'SIGTERM');
    };

    child.on('message', (raw: unknown) => {
      if (!runtimeToLauncher.is(raw)) return;
      if (raw.type === 'beat') {
        lastBeat = performance.now();
        gate?.beat(raw.gnss);
        o.onBeat();
      } else if (raw.type === 'ready' && !ready) {
        ready = true;
        lastBeat = performance.now();
        o.onReady(raw.apiUrl);
        if (gate) {
          gate.ready(raw.apiUrl);
          gateTimer = setTimeout(() => void runGate(), gate.dueInMs() ?? 0);
        }
      } else if (raw.type === 'reboot') {
        finish({ kind: 'reboot' }, 'SIGTERM');
      }
    });
    child.on('exit', (code, signal) => finish({ kind: 'exited', why: signal ? `killed by ${signal} after ${upS()}` : `exited with code ${code} after ${upS()}` }, null));
    child.on('error', (err) => finish({ kind: 'exited', why: `could not start: ${err.message}` }, null));
    void o.stopSignal.then(() => finish({ kind: 'stopped' }, 'SIGTERM'));
  });
}
