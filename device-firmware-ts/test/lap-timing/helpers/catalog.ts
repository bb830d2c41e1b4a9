import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrackCatalog, type TrackDefinition } from '../../../../protocol/src/tracks/index.js';
import { repoRoot } from '../../helpers/paths.js';

export const catalogTracks = (): TrackDefinition[] =>
  parseTrackCatalog(JSON.parse(readFileSync(path.join(repoRoot, 'resources', 'tracks', 'catalog.json'), 'utf8'))).tracks;
