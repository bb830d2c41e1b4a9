import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const sharedData = resolve(repoRoot, '..', 'shared', 'data');
export const recordingsDir = join(repoRoot, 'resources', 'recordings');
export const everlandRecording = join(recordingsDir, 'everland-aim-solo.nmea');

/** A fresh temp dir, removed by the returned cleanup. */
export async function tempDir(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `pitwall-${tag}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
