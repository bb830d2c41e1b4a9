import { loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import { farRidgeSession } from '../../../app/test/helpers/ridge-session.js';

/** Stores session `s-far` (Ridge's drive where no catalog track is near) in the companion store of `dataDir`, as a laptop holds it before drawing its own track from it. */
export function storeFarSession(dataDir: string): void {
  const tracks = loadTracks();
  const db = openDatabase(dataDir);
  try {
    new SessionStore(db, () => tracks).ingest(farRidgeSession(tracks), { sha256: 'c'.repeat(64), unitName: 'Car 8', sizeB: 1 });
  } finally {
    db.close();
  }
}
