import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

export interface SeaBuild {
  /** The folder shipped to a unit: the binary, app/ and native/. */
  dir: string;
  binary: string;
  buildSeconds: number;
}

let once: Promise<SeaBuild> | undefined;

/**
 * Builds the unit runtime's single executable (scripts/build-sea.mjs, from the workspaces'
 * dist/) into a temp dir, once per process: every test or benchmark in that process shares it.
 * About 100 MB: the test that builds it removes `dir` when done.
 */
export function buildSeaOnce(): Promise<SeaBuild> {
  once ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pitwall-sea-'));
    const t0 = performance.now();
    await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts', 'build-sea.mjs'), '--out', dir], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { dir, binary: join(dir, 'pitwall-device'), buildSeconds: (performance.now() - t0) / 1000 };
  })();
  return once;
}
