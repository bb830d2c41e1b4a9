import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PITWALL_CLI = fileURLToPath(new URL('../main/dist/cli.js', import.meta.url));

export interface Companion {
  readonly process: ChildProcess;
  readonly url: string;
  readonly stderr: string[];
  stop(): Promise<number | null>;
}

/** Runs the built `pitwall serve ...` and waits for its one ready line on stdout. */
export async function startCompanion(args: string[], timeoutMs = 20_000): Promise<Companion> {
  const child = spawn(process.execPath, [PITWALL_CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pitwall serve not ready in ${timeoutMs} ms: ${stderr.join('')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pitwall serve exited with ${code}: ${stderr.join('')}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const msg = JSON.parse(line) as { event?: string; url?: string };
        if (msg.event === 'ready' && typeof msg.url === 'string') return resolve(msg.url);
      } catch {
        /* fall through */
      }
      reject(new Error(`first stdout line is not the ready line: ${line}`));
    });
  });
  return {
    process: child,
    url,
    stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
