// Runs every test file of the repo with node:test (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-substring ...]   e.g. `npm test -- protocol e2e`
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['protocol/test', 'device-firmware-ts/test', 'app/test', 'main/test', 'e2e', 'testbed/test', 'scripts/test'];
const filters = process.argv.slice(2);
const files = roots
  .flatMap((root) => {
    try {
      return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f));
    } catch {
      return [];
    }
  })
  .filter((f) => /\.test\.tsx?$/.test(f) && !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const args = [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  // A stuck test fails after this long instead of stalling the whole run.
  '--test-timeout=240000',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
