import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/** Real data recorded by others, copied into the repository for tests (see its ORIGIN.md files). */
export const testData = join(repoRoot, 'testdata');
export const recordingsDir = join(repoRoot, 'resources', 'recordings');
export const everlandRecording = join(recordingsDir, 'everland-aim-solo.nmea');

export const readTestData = (...parts: string[]): string => readFileSync(join(testData, ...parts), 'utf8');

/** A fresh temp dir, removed by the returned cleanup. */
export async function tempDir(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `pitwall-${tag}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
