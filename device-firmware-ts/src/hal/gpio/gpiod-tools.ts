/**
 * GPIO lines through the kernel's character device (/dev/gpiochipN) with libgpiod v1's tools
 * (Debian 12 `gpiod`: gpioget, gpioset, gpiomon). The tools rather than a Node binding: no
 * native module to build against libgpiod-dev (whose v1 and v2 APIs differ), and the lines are
 * released by the kernel when a tool exits, whatever happens to the runtime.
 *
 * Inputs are read active-low with the pull-up on (a button or switch closes to ground): 1 means
 * pressed or closed. Edges are debounced here: a level counts once it held for `debounceMs`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GpiodOptions {
  /** gpiochip0, or the chip's label. */
  chip: string;
  debounceMs: number;
  /** Where the tools are; PATH by default (tests put fakes first). */
  env?: NodeJS.ProcessEnv;
}

/** Levels of input lines now (before they are watched: a watched line is busy). */
export async function readInputs(o: GpiodOptions, lines: readonly number[]): Promise<Map<number, boolean>> {
  if (lines.length === 0) return new Map();
  const { stdout } = await run('gpioget', ['-l', '-B', 'pull-up', o.chip, ...lines.map(String)], { env: o.env, timeout: 5000 });
  const values = stdout.trim().split(/\s+/);
  if (values.length !== lines.length || values.some((v) => v !== '0' && v !== '1')) throw new Error(`gpioget: unexpected answer "${stdout.trim()}"`);
  return new Map(lines.map((l, i) => [l, values[i] === '1']));
}

/**
 * Watches input lines with gpiomon; `onLevel` gets each debounced change (line, active).
 * `initial` are the levels read before (the debouncer's starting point).
 */
export function watchInputs(o: GpiodOptions, initial: Map<number, boolean>, onLevel: (line: number, active: boolean) => void, onExit: (why: string) => void): { stop(): void } {
  const lines = [...initial.keys()];
  const stable = new Map(initial);
  const timers = new Map<number, NodeJS.Timeout>();
  const child = spawn('gpiomon', ['-b', '-l', '-B', 'pull-up', '-F', '%o %e', o.chip, ...lines.map(String)], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => void (stderr = (stderr + d).slice(-500)));
  let stopped = false;
  child.on('error', (e) => onExit(`gpiomon: ${e.message}`));
  child.on('exit', (code) => {
    if (!stopped) onExit(`gpiomon exited (${code}): ${stderr.trim()}`);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const m = /^(\d+) ([01])$/.exec(text.trim());
    if (!m) return;
    const line = Number(m[1]);
    if (!stable.has(line)) return;
    const active = m[2] === '1'; // rising edge of the active-low value: pressed / closed
    clearTimeout(timers.get(line));
    timers.set(
      line,
      setTimeout(() => {
        timers.delete(line);
        if (stable.get(line) === active) return;
        stable.set(line, active);
        onLevel(line, active);
      }, o.debounceMs),
    );
  });
  return {
    stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      child.kill('SIGTERM');
    },
  };
}

/**
 * An output line held by one `gpioset -m signal` at a time: a new level waits for the previous
 * holder to exit (the kernel refuses a second holder of a line).
 */
export class OutputLine {
  private holder: ChildProcess | null = null;
  private chain: Promise<void> = Promise.resolve();
  level: boolean | null = null;

  constructor(
    private readonly o: GpiodOptions,
    readonly line: number,
  ) {}

  set(level: boolean): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.level === level) return;
      await this.release();
      this.level = level;
      const child = spawn('gpioset', ['-m', 'signal', this.o.chip, `${this.line}=${level ? 1 : 0}`], { env: this.o.env, stdio: 'ignore' });
      child.on('error', () => {});
      this.holder = child;
    });
    return this.chain;
  }

  private async release(): Promise<void> {
    const h = this.holder;
    this.holder = null;
    if (!h || h.exitCode !== null || h.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      h.once('exit', () => resolve());
      h.kill('SIGTERM');
    });
  }

  /** Releases the line driven low: a one-shot gpioset that exits (nothing is left holding it). */
  close(): Promise<void> {
    this.chain = this.chain.then(async () => {
      await this.release();
      this.level = false;
      await run('gpioset', [this.o.chip, `${this.line}=0`], { env: this.o.env, timeout: 5000 }).catch(() => {});
    });
    return this.chain;
  }
}
