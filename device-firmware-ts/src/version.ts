import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * The commit this firmware was built from: env PITWALL_COMMIT (set by packaging), else the
 * repository's .git read directly (no git process), else 'unknown'.
 */
export function resolveCommit(env: NodeJS.ProcessEnv = process.env, from = here): string {
  const fromEnv = env.PITWALL_COMMIT?.trim();
  if (fromEnv && /^[0-9a-zA-Z._-]{1,64}$/.test(fromEnv)) return fromEnv;
  try {
    return readGitHead(from) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function findGitDir(from: string): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    try {
      const st = statSync(dotGit);
      if (st.isDirectory()) return dotGit;
      // worktrees and submodules: ".git" is a file "gitdir: <path>"
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) return resolve(dir, (m[1] as string).trim());
    } catch {
      /* not here */
    }
    if (dirname(dir) === dir) return null;
  }
}

function readGitHead(from: string): string | null {
  const gitDir = findGitDir(from);
  if (!gitDir) return null;
  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
  if (!ref) return short(head);
  let commonDir = gitDir;
  try {
    commonDir = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    /* not a worktree */
  }
  for (const dir of [gitDir, commonDir]) {
    try {
      return short(readFileSync(join(dir, ref), 'utf8').trim());
    } catch {
      /* maybe packed */
    }
    try {
      const packed = readFileSync(join(dir, 'packed-refs'), 'utf8');
      for (const line of packed.split('\n')) {
        const [sha, name] = line.trim().split(' ');
        if (name === ref && sha) return short(sha);
      }
    } catch {
      /* none */
    }
  }
  return null;
}

function short(sha: string): string | null {
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha.slice(0, 7) : null;
}

export const FIRMWARE_VERSION = readPackageVersion();
export const FIRMWARE_COMMIT = resolveCommit();
