import { readFileSync } from 'node:fs';
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
