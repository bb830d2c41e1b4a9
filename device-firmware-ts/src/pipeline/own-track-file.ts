import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ownTrackList, ownTrackListProblem, type TrackDefinition } from '@pitwall/protocol';
import { writeFileAtomic } from '@pitwall/protocol/node';
import type { Logger } from '../ops/logger.js';

/** The own tracks a companion pushed: DATA_DIR/tracks/own-tracks.json (0600). */
export const ownTracksFile = (dataDir: string) => join(dataDir, 'tracks', 'own-tracks.json');

/** Replaces the stored list; a crash or a power cut leaves the old list or the new, never a mix. */
export async function saveOwnTracks(dataDir: string, tracks: readonly TrackDefinition[]): Promise<void> {
  const file = ownTracksFile(dataDir);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify({ tracks })}\n`, 0o600);
}

/**
 * The stored list, checked again as if pushed now: none stored is an empty list, a file that does
 * not pass is logged and ignored (the catalog alone still times laps).
 */
export async function loadOwnTracks(dataDir: string, log?: Logger): Promise<TrackDefinition[]> {
  let text: string;
  try {
    text = await readFile(ownTracksFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const list = ownTrackList.parse(JSON.parse(text));
    const problem = ownTrackListProblem(list);
    if (problem) throw new Error(problem);
    return list.tracks;
  } catch (err) {
    log?.error(`own tracks in ${ownTracksFile(dataDir)} ignored: ${(err as Error).message.slice(0, 300)}`);
    return [];
  }
}
