import { spawn } from 'node:child_process';
import { NmError, nmErrorFor } from './nmcli-error.js';

export interface NmcliOptions {
  /** The nmcli executable (a path or a name looked up on PATH). */
  bin: string;
  /** Each call is killed after this long and reported as a timeout. */
  timeoutMs: number;
}

export interface NmcliResult {
  stdout: string;
  /** nmcli may warn on stderr and still succeed (a version mismatch after an upgrade). */
  stderr: string;
}

export type Nmcli = (args: readonly string[], what: string, timeoutMs?: number) => Promise<NmcliResult>;

const MAX_OUTPUT = 4 * 1024 * 1024;

/**
 * Runs nmcli with an argv array (no shell) in the C.UTF-8 locale: its terse output and its error
 * messages are then the untranslated English the parsers read, and non-ASCII SSIDs are not
 * turned into '?'. Secrets never go in `args` (callers hand them over in 0600 files).
 */
export function nmcliRunner(opts: NmcliOptions): Nmcli {
  return (args, what, timeoutMs = opts.timeoutMs) =>
    new Promise<NmcliResult>((resolve, reject) => {
      const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', LANGUAGE: '' };
      const child = spawn(opts.bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT) child.kill('SIGKILL');
        else into.push(chunk);
      };
      child.stdout.on('data', take(out));
      child.stderr.on('data', take(err));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          e.code === 'ENOENT'
            ? new NmError('no-nmcli', `${what}: nmcli (${opts.bin}) is not installed on the unit, so Wi-Fi cannot be managed`, null)
            : new NmError('failed', `${what}: nmcli could not be started (${e.code ?? e.message})`, null),
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) return reject(new NmError('timeout', `${what}: nmcli did not answer within ${Math.round(timeoutMs / 100) / 10} s and was stopped`, null));
        if (size > MAX_OUTPUT) return reject(new NmError('failed', `${what}: nmcli printed more than ${MAX_OUTPUT} bytes`, null));
        if (code !== 0) return reject(nmErrorFor(code ?? -1, stderr, what));
        resolve({ stdout, stderr });
      });
    });
}
