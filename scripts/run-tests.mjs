// Runs every test file of the repo with node:test (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration] [path-substring ...]   e.g. `npm test -- protocol e2e`
// Each workspace keeps two trees: test/unit/ (in-process) and test/integration/ (processes, sockets,
// ptys, namespaces). The words `unit` and `integration` pick a tree and narrow the substrings after
// them: `npm test -- unit` runs every unit tree, `npm test -- integration app` app's integration tree.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

const roots = [
  'protocol/test', 'device-firmware-ts/test', 'app/test', 'main/test', 'preload/test', 'renderer/test',
  'e2e', 'testbed/test', 'scripts/test', 'hub/test',
];
const trees = new Set(['unit', 'integration']);
const args = process.argv.slice(2);
const tree = args.find((a) => trees.has(a));
const filters = args.filter((a) => !trees.has(a));
const files = roots
  .flatMap((root) => {
    try {
      return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f));
    } catch {
      return [];
    }
  })
  .filter((f) => /\.test\.tsx?$/.test(f) && !f.includes('node_modules'))
  .filter((f) => !tree || f.split(sep).join('/').includes(`/test/${tree}/`))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${args.join(' ')}`);
  process.exit(1);
}
const nodeArgs = [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  // A stuck test (or test file) fails after this long instead of stalling the whole run; the image
  // build and the 200 power cuts take minutes on a loaded machine.
  '--test-timeout=600000',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
const run = spawnSync(process.execPath, nodeArgs, { stdio: 'inherit' });
process.exit(run.status ?? 1);
