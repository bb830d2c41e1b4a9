import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DatabaseTarget } from '../../src/db/open-database.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const run = promisify(execFile);

const dbArgs = (t: DatabaseTarget, dataDir: string) => (t.kind === 'sqlite' ? ['--data-dir', dataDir] : ['--database', t.url]);

/** `pitwall-hub` once (org add, member add, ...), its one JSON line parsed. */
export async function hubCli(args: string[], target: DatabaseTarget, dataDir: string): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, [CLI, ...args, ...dbArgs(target, dataDir)]);
  return JSON.parse(stdout) as Record<string, string>;
}

export interface HubProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `pitwall-hub serve` as its own process on a free port (unless `extraArgs` names one); resolves at its ready line. */
export function startHubProcess(target: DatabaseTarget, dataDir: string, keyFile: string, extraArgs: string[] = []): Promise<HubProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...dbArgs(target, dataDir), '--key-file', keyFile, '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pitwall-hub did not get ready in 30 s: ${stderr}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ url: (JSON.parse(line) as { url: string }).url, child, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pitwall-hub exited ${code}: ${stderr}`));
    });
  });
}
