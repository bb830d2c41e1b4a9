import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const sharedData = path.resolve(repoRoot, '..', 'shared', 'data');

export const readShared = (...parts: string[]): string => readFileSync(path.join(sharedData, ...parts), 'utf8');
