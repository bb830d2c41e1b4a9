import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BOOT_CLI = fileURLToPath(new URL('../device-firmware-ts/dist/boot-cli.js', import.meta.url));

export interface BootMachineOptions {
  dataDir: string;
  /** Arguments for the slot's runtime. */
  runtimeArgs: string[];
  trialS: number;
  /** The launcher's watchdog over its runtime. */
  watchdogS: number;
  startTimeoutS?: number;
  /** The machine's watchdog over the launcher (systemd's WatchdogSec); 0: off. */
  machineWatchdogS?: number;
  env?: NodeJS.ProcessEnv;
}

export type BootEvent = Record<string, unknown>;

/**
 * The sim's stand-in for the unit's bootloader, power switch and systemd: starts pitwall-boot in
 * its own process group (so a power cut takes the launcher and its runtime together), restarts it
 * whenever it ends (a reboot), and kills and restarts it when its watchdog pings stop
 * (WatchdogSec). Every JSON line the launcher and its runtime print is kept as an event.
 */
export class BootMachine {
  readonly events: BootEvent[] = [];
  readonly output: string[] = [];
  /** Power cuts and watchdog resets so far. */
  resets = 0;
  private child: ChildProcess | null = null;
  private running = false;
  private lastPing = 0;
  private watch: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly o: BootMachineOptions) {}

  /** The launcher's pid while it runs. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Powers the machine on (the launcher starts). */
  start(): void {
    this.running = true;
    this.boot();
    const dogMs = (this.o.machineWatchdogS ?? 0) * 1000;
    if (dogMs > 0 && !this.watch) {
      this.watch = setInterval(() => {
        if (this.child && performance.now() - this.lastPing > dogMs) {
          this.events.push({ machine: 'watchdog-reset' });
          void this.powerCut().then(() => this.running && this.boot());
        }
      }, dogMs / 4);
    }
  }

  private boot(): void {
    const args = [BOOT_CLI, '--data-dir', this.o.dataDir, '--trial-s', String(this.o.trialS), '--watchdog-s', String(this.o.watchdogS)];
    if (this.o.startTimeoutS) args.push('--start-timeout-s', String(this.o.startTimeoutS));
    const child = spawn(process.execPath, [...args, '--', ...this.o.runtimeArgs], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...this.o.env, PITWALL_BOOT_NOTIFY: 'ipc' },
    });
    this.child = child;
    this.lastPing = performance.now();
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.output.push(d));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.output.push(`${line}\n`);
      try {
        const e: unknown = JSON.parse(line);
        if (e && typeof e === 'object') this.push(e as BootEvent);
      } catch {
        /* a plain line */
      }
    });
    child.on('message', (m: { notify?: string }) => {
      if (typeof m?.notify === 'string' && m.notify.includes('WATCHDOG=1')) this.lastPing = performance.now();
    });
    child.on('exit', () => {
      if (this.child !== child) return;
      this.child = null;
      // The launcher ended by itself: the unit reboots.
      if (this.running) this.boot();
    });
  }

  private push(e: BootEvent): void {
    this.events.push(e);
    for (const w of this.waiters.splice(0)) w();
  }

  /** SIGKILL to the launcher's whole process group (launcher and runtime), as a power cut is. */
  async powerCut(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.resets++;
    const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve();
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await exited;
    // The runtime may outlive the launcher's exit event by a moment; its group is gone with it.
    await new Promise((r) => setTimeout(r, 5));
  }

  /** Power back on after a cut. */
  restart(): void {
    if (!this.child) this.boot();
  }

  /** Waits for the first event (from index `from`) that `pred` accepts. */
  async waitFor(pred: (e: BootEvent) => boolean, timeoutMs: number, from = 0): Promise<BootEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no matching boot event in ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(from)).slice(-3000)}\n${this.output.join('').slice(-3000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Powers off: SIGTERM to the launcher (it stops its runtime), SIGKILL after a grace. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.watch);
    const child = this.child;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const t = setTimeout(() => this.powerCut(), 8000);
    await exited;
    clearTimeout(t);
    this.child = null;
  }
}
