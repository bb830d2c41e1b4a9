// One lint setup for every workspace. The import rules below enforce the layering of
// DESIGN.md: protocol <- device-firmware-ts; protocol <- app <- main; renderer talks only
// to window.pitwall (it may use protocol's pure contracts, never Node or the companion core).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const layer = (message, patterns, paths = []) => ({
  'no-restricted-imports': ['error', { paths: paths.map((name) => ({ name, message })), patterns: patterns.map((group) => ({ group: [group], message })) }],
});

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
    rules: layer('protocol/ is pure contracts: no Node, no other workspace', ['@pitwall/*', '../../*/src/*', 'electron', 'node:*', '**/node/*'], nodeBuiltins),
  },
  {
    // The one Node part of protocol (`@pitwall/protocol/node`): shared file primitives.
    files: ['protocol/src/node/**'],
    rules: layer('protocol/node is shared Node code: no other workspace', ['@pitwall/*', '../../*/src/*', 'electron']),
  },
  {
    files: ['device-firmware-ts/src/**'],
    rules: layer('the unit depends on protocol only', ['@pitwall/app', '@pitwall/main', '@pitwall/renderer', '@pitwall/preload', 'electron', 'react']),
  },
  {
    files: ['app/src/**'],
    rules: layer('app/ is plain Node: never electron, main, renderer or unit code', ['electron', '@pitwall/main', '@pitwall/renderer', '@pitwall/preload', '@pitwall/device', 'react']),
  },
  {
    files: ['main/src/**'],
    rules: layer('main/ wires app/ to the UI; it never imports UI or unit code', ['@pitwall/renderer', '@pitwall/device', 'react']),
  },
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: layer('renderer/ talks only to window.pitwall: no Node, no electron, no companion core', ['@pitwall/protocol/node', '@pitwall/app', '@pitwall/main', '@pitwall/device', 'electron', 'node:*', 'better-sqlite3', 'serialport', 'usb', 'bonjour-service'], nodeBuiltins),
  },
  {
    files: ['preload/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: layer('preload/ bridges the contract only', ['@pitwall/protocol/node', '@pitwall/app', '@pitwall/main', '@pitwall/device', 'node:*'], nodeBuiltins),
  },
);
