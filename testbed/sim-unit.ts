import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const DEVICE_CLI = fileURLToPath(new URL('../device-firmware-ts/dist/cli.js', import.meta.url));

export interface SimUnitOptions {
  dataDir: string;
  name?: string;
  recording?: string;
  speed?: number;
  /** Run inside this network namespace (needs root). */
  netns?: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface ReadyEvent {
  event: 'ready';
  id: string;
  apiPort: number;
  serialPath: string;
}

export interface SimUnit {
  readonly process: ChildProcess;
  readonly ready: ReadyEvent;
  /** Lines the unit printed on stdout after ready, and everything on stderr (for failure messages). */
  readonly output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `pitwall-device sim` (built dist) and waits for its ready line. */
export async function startSimUnit(opts: SimUnitOptions, timeoutMs = 15000): Promise<SimUnit> {
  const args = [DEVICE_CLI, 'sim', '--data-dir', opts.dataDir, '--api-port', '0'];
  if (opts.name) args.push('--name', opts.name);
  if (opts.recording) args.push('--recording', opts.recording);
  if (opts.speed) args.push('--speed', String(opts.speed));
  args.push(...(opts.extraArgs ?? []));
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const output: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<ReadyEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`unit did not become ready in ${timeoutMs} ms: ${output.join('')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`unit exited with ${code} before ready: ${output.join('')}`));
    });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string };
        if (msg.event === 'ready') {
          clearTimeout(timer);
          resolve(msg as ReadyEvent);
          return;
        }
      } catch {
        /* not JSON */
      }
      output.push(line);
    });
  });
  return {
    process: child,
    ready,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
