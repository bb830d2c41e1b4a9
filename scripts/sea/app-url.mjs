// Stands in for a bundled module's import.meta.url: the same relative path under app/ beside
// the binary, so `new URL('../x', import.meta.url)` still finds its file.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { baseDir } from './app-root.mjs';

export const appUrl = (relPath) => pathToFileURL(join(baseDir, 'app', relPath)).href;
