// A SEA's require() loads only Node's builtins: native addons, kept out of the bundle, are
// loaded with a real require rooted at native/ beside the binary.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { baseDir } from './app-root.mjs';

export const nativeRequire = createRequire(join(baseDir, 'native', 'index.js'));
