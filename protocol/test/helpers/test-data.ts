import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/** Real data recorded by others, copied into the repository for tests (see its ORIGIN.md files). */
export const testData = join(repoRoot, 'testdata');

export const readTestData = (...parts: string[]): string => readFileSync(join(testData, ...parts), 'utf8');
