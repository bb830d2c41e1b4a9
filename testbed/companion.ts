import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startReadyProcess, type ReadyProcess } from './ready-process.js';
import type { SimUnit } from './sim-unit.js';

export const COMPANION_CLI = fileURLToPath(new URL('../main/dist/cli.js', import.meta.url));

export interface CompanionOptions {
  dataDir: string;
  port?: number;
  addresses?: string[];
  serialPaths?: string[];
  mdns?: boolean;
  netns?: string;
}

export type Companion = ReadyProcess<{ event: 'ready'; url: string }>;

/** Starts `pitwall serve` (browser mode, built dist) and waits for its ready line with the URL. */
export function startCompanion(opts: CompanionOptions, timeoutMs = 20000): Promise<Companion> {
  const argv = [process.execPath, COMPANION_CLI, 'serve', '--data-dir', opts.dataDir];
  if (opts.port) argv.push('--port', String(opts.port));
  for (const a of opts.addresses ?? []) argv.push('--address', a);
  for (const s of opts.serialPaths ?? []) argv.push('--serial', s);
  // Outside a namespace the companion does not browse mDNS: no multicast on the machine's interfaces.
  if (opts.mdns === false || (!opts.netns && opts.mdns !== true)) argv.push('--no-mdns');
  return startReadyProcess(argv, { netns: opts.netns, timeoutMs, label: 'companion' });
}

/** Runs one `pitwall` command (built dist) to its end, `stdin` its input: its exit status and what it printed on each stream. */
export function runCli(args: string[], stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COMPANION_CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

/** `pitwall pair` of a sim unit over its USB serial end, as `role`, into the companion of `dataDir`; throws with what it printed when it fails. */
export async function pairOverUsb(unit: SimUnit, dataDir: string, role: 'owner' | 'dealer' | 'staff' | 'support' = 'owner'): Promise<void> {
  const r = await runCli(['pair', `127.0.0.1:${unit.ready.apiPort}`, '--via', 'usb', '--role', role, '--serial', unit.ready.serialPath, '--no-mdns', '--data-dir', dataDir]);
  if (r.code !== 0) throw new Error(`pitwall pair (${role}) exited ${r.code}: ${r.out}${r.err}`);
}
