// One lint setup for every workspace. Imports are checked against ALLOWED lists (see
// scripts/lint/allowed-imports.js): a workspace imports its own files, the packages its own
// package.json declares, and Node's modules only where it runs on Node. So protocol <-
// device-firmware-ts; protocol <- app <- main; renderer talks only to window.pitwall (it may use
// protocol's pure contracts, never Node or the companion core); electron only in the Electron
// entry files; and inside the unit nothing above hal/ reaches into hal/sim/.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';
import layering from './scripts/lint/allowed-imports.js';
import routes from './scripts/lint/route-literals.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const allowed = (workspace, layer, more = {}) => ({
  plugins: { layering },
  rules: { 'layering/allowed-imports': ['error', { root, workspace, layer, nodeBuiltins: false, ...more }] },
});

const unitFences = [{ dir: 'device-firmware-ts/src/hal/sim', except: ['device-firmware-ts/src/hal', 'device-firmware-ts/src/index.ts'], why: 'simulation stays below the hardware interfaces; take hardware from the profile' }];
const unit = (fenced) => allowed('device-firmware-ts', 'the unit (protocol, its declared packages, Node)', { nodeBuiltins: true, fenced });
const main = (packages = []) => allowed('main', 'main/ (app, protocol, Node; electron only in electron-main.ts)', { nodeBuiltins: true, packages, typeOnlyPackages: ['electron'] });
const browserOnly = { refusedSubpaths: ['@pitwall/protocol/node'] };
const preload = (packages = []) => allowed('preload', 'preload/ bridges the contract only (protocol; electron only in electron-preload.ts)', { packages, ...browserOnly });

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'artifacts/**', 'release/**', '.demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['protocol/src/**'],
    ignores: ['protocol/src/node/**'],
    ...allowed('protocol', 'protocol/ is pure contracts (its own files and declared packages only)', {
      fenced: [{ dir: 'protocol/src/node', why: 'pure contracts never import the Node part of protocol' }],
    }),
  },
  // The one Node part of protocol (`@pitwall/protocol/node`): file primitives both sides share.
  { files: ['protocol/src/node/**'], ...allowed('protocol', 'protocol/node (shared Node code: protocol and Node only)', { nodeBuiltins: true }) },
  { files: ['device-firmware-ts/src/**'], ...unit(unitFences) },
  {
    files: ['device-firmware-ts/src/pipeline/**'],
    ...unit([...unitFences, { dir: 'device-firmware-ts/src/api', why: 'the data path knows nothing of the API; the API adapts to the pipeline' }]),
  },
  { files: ['app/src/**'], ...allowed('app', 'app/ is plain Node (protocol, its declared packages, Node)', { nodeBuiltins: true }) },
  { files: ['main/src/**'], ...main() },
  { files: ['hub/src/**'], ...allowed('hub', 'hub/ is a server on Node (protocol, its declared packages, Node)', { nodeBuiltins: true }) },
  { files: ['main/src/electron-main.ts'], ...main(['electron']) },
  { files: ['preload/src/**'], languageOptions: { globals: { ...globals.browser } }, ...preload() },
  { files: ['preload/src/electron-preload.ts'], ...preload(['electron']) },
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    ...allowed('renderer', 'renderer/ talks only to window.pitwall (protocol contracts, react, zustand, its own files)', browserOnly),
  },
  // Device API paths are written once, in the route table: every workspace's code, the
  // testbed's fakes, the bench servers and the test helpers take them from it.
  {
    files: ['*/src/**/*.{ts,tsx,js,mjs}', 'testbed/**/*.ts', 'bench/**/*.ts', '*/test/helpers/**/*.ts', 'e2e/**/*.ts'],
    ignores: ['protocol/src/device-api/routes.ts'],
    plugins: { routes },
    rules: { 'routes/no-route-literal': 'error' },
  },
);
