import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ReadyProcess<T> {
  readonly process: ChildProcess;
  /** The JSON object of the `{"event":"ready",...}` line. */
  readonly ready: T;
  /** Everything else the process printed (stderr, and stdout lines after ready), for failure messages. */
  readonly output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns a Pitwall program (unit or companion) and waits until it prints its ready line
 * on stdout. `netns` runs it inside a network namespace (`ip netns exec` execs in place,
 * so the child pid is the program's own).
 */
export async function startReadyProcess<T>(
  argv: string[],
  opts: { netns?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; label: string },
): Promise<ReadyProcess<T>> {
  const [cmd, args] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, ...argv]] : [argv[0]!, argv.slice(1)];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const output: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
  const lines = createInterface({ input: child.stdout! });
  const timeoutMs = opts.timeoutMs ?? 45_000;
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.label} did not become ready in ${timeoutMs} ms: ${output.join('')}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label} exited with ${code} before ready: ${output.join('')}`));
    };
    child.once('exit', onExit);
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string };
        if (msg.event === 'ready') {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(msg as T);
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
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}
