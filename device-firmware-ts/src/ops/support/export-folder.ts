import { chmod, lstat, mkdir, readdir, rename, rm, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the export shows, read fresh at each refresh. */
export interface ExportSources {
  /** Folder of the unit's structured logs (already redacted when written). */
  logDir: string;
  /** health.jsonl */
  healthFile: string;
  /** Folder of crash dumps (`*.json`). */
  crashDir: string;
  /** The session list, the unit's info and its configuration without secrets. */
  documents(): Promise<Record<string, unknown>>;
}

const README = `Pitwall unit support export (read only).
unit.json       identity, firmware, status
config.json     settings, secrets removed
sessions.json   recorded sessions
health.jsonl    health snapshots
logs/           structured logs
crashes/        crash dumps
Refreshed while support mode is on; gone when it ends.
`;

const SECRET_NAME = /pass|secret|psk|token|private|credential/i;

/** A deep copy with the value of every field whose name says secret replaced. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_NAME.test(k) ? '[removed]' : withoutSecrets(v)]));
}

/** Replaces `file` whole (temp + rename): a reader through the tunnel never sees half a file. */
async function place(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await write(tmp);
  await chmod(tmp, 0o644);
  await rename(tmp, file);
}

/**
 * Mirrors regular files of `from` matching `keep` into `to` (new or changed by size and mtime);
 * symlinks, devices and folders are never copied, and files gone from `from` go from `to`.
 */
async function mirror(from: string, to: string, keep: (name: string) => boolean): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o755 });
  const names = (await readdir(from).catch(() => [] as string[])).filter(keep);
  const wanted = new Set<string>();
  for (const name of names) {
    const src = await lstat(join(from, name)).catch(() => null);
    if (!src?.isFile()) continue;
    wanted.add(name);
    const dst = await lstat(join(to, name)).catch(() => null);
    if (dst && dst.size === src.size && dst.mtimeMs >= src.mtimeMs) continue;
    await place(join(to, name), (tmp) => copyFile(join(from, name), tmp));
  }
  for (const name of await readdir(to)) if (!wanted.has(name)) await rm(join(to, name), { force: true, recursive: true });
}

/** Brings the export folder up to date with the unit's logs, health, crash dumps and documents. */
export async function refreshExport(dir: string, s: ExportSources): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  await place(join(dir, 'README.txt'), (tmp) => writeFile(tmp, README));
  for (const [name, doc] of Object.entries(await s.documents())) {
    await place(join(dir, `${name}.json`), (tmp) => writeFile(tmp, `${JSON.stringify(withoutSecrets(doc), null, 2)}\n`));
  }
  const health = await lstat(s.healthFile).catch(() => null);
  if (health?.isFile()) await place(join(dir, 'health.jsonl'), (tmp) => copyFile(s.healthFile, tmp));
  await mirror(s.logDir, join(dir, 'logs'), (n) => !n.includes('.tmp-'));
  await mirror(s.crashDir, join(dir, 'crashes'), (n) => n.endsWith('.json'));
}

/** Empties the export (support is off: nothing is left to read). */
export async function clearExport(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, name), { recursive: true, force: true });
}
