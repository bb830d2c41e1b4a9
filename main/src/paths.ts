import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the built pieces sit relative to main/dist (the same layout inside the packaged app). */
export const RENDERER_DIR = fileURLToPath(new URL('../../renderer/dist/', import.meta.url));
export const PRELOAD_PATH = fileURLToPath(new URL('../../preload/dist/electron-preload.cjs', import.meta.url));
export const ELECTRON_MAIN_PATH = fileURLToPath(new URL('./electron-main.js', import.meta.url));

export const APP_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/**
 * The companion's user-data directory, the same one Electron's app.getPath('userData') gives
 * for productName "Pitwall", so browser mode and the desktop window share one device store.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Pitwall');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Pitwall');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Pitwall');
}
