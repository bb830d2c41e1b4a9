import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import type { TrackDefinition } from '@pitwall/protocol';
import { launchChromium } from './browser.js';
import { startCompanion, type Companion } from '../testbed/companion.js';

export const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

/** A browser-mode companion on a store the suite seeds, and a Chromium page; both filled in by `before`. */
export interface StoredSessionsPage {
  companion: Companion;
  page: Page;
  /** Uncaught errors in the page (a test ends by asserting none). */
  pageErrors: string[];
}

/** Registers the suite's before/after: seeds the store with the catalog tracks, starts the companion and Chromium; removes all after. */
export function storedSessionsPage(name: string, seed: (store: SessionStore, tracks: readonly TrackDefinition[]) => void): StoredSessionsPage {
  const tmp = mkdtempSync(join(tmpdir(), `pitwall-e2e-${name}-`));
  const h = { pageErrors: [] as string[] } as StoredSessionsPage;
  let closeChromium: (() => Promise<void>) | undefined;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = join(tmp, 'companion');
    const db = openDatabase(dataDir);
    const tracks = loadTracks();
    seed(new SessionStore(db, () => tracks), tracks);
    db.close();
    h.companion = await startCompanion({ dataDir, addresses: [] });
    const chromium = await launchChromium();
    closeChromium = () => chromium.close();
    h.page = await chromium.context.newPage();
    h.page.on('pageerror', (err) => h.pageErrors.push(err.message));
  });
  after(async () => {
    await closeChromium?.();
    await h.companion?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });
  return h;
}
