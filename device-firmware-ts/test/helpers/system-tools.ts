import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The unit's system files (unit files, sysusers/tmpfiles, scripts) and the repo's scripts. */
export const systemDir = join(repoRoot, 'device-firmware-ts/system');
export const sbin = (name: string): string => join(systemDir, 'sbin', name);

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a system tool to its end; a non-zero exit is a result, not a throw. */
export function tool(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<ToolResult> {
  return new Promise((resolveRun) => {
    const child = execFile(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolveRun({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The test command installs these (scripts/setup.sh): a missing one fails, it does not skip. */
export async function requireTools(...cmds: string[]): Promise<void> {
  for (const cmd of cmds) {
    const found = await tool('sh', ['-c', `command -v ${cmd}`]);
    assert.equal(found.code, 0, `${cmd} is not installed (scripts/setup.sh installs it)`);
  }
}
