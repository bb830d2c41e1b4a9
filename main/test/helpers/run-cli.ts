import { spawn } from 'node:child_process';
import { COMPANION_CLI } from '../../../testbed/companion.js';

/** Runs `pitwall ARGS` (the built companion CLI) to its end: exit code, stdout, stderr. */
export function runCli(args: string[], stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COMPANION_CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}
