// Where the files shipped beside the runtime live (see scripts/build-sea.mjs): next to the
// single executable, or next to the bundle when the bundle runs under plain node (debugging).
import { dirname, resolve } from 'node:path';
import { isSea } from 'node:sea';

export const baseDir = isSea() ? dirname(process.execPath) : dirname(resolve(process.argv[1] ?? '.'));
