/**
 * Where the generators read their source data: `--input DIR`, by default the repository's
 * testdata/ (see the ORIGIN.md of each folder there). DIR must have the same layout.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The data folder, after checking that every path the generator reads is there. */
export function inputDir(needs: string[]): string {
  const { values } = parseArgs({ options: { input: { type: 'string' } } });
  const dir = resolve(values.input ?? join(repoRoot, 'testdata'));
  const missing = needs.filter((p) => !existsSync(join(dir, p)));
  if (missing.length > 0) {
    console.error(`input folder ${dir} lacks ${missing.join(', ')} (give another with --input DIR)`);
    process.exit(2);
  }
  return dir;
}
