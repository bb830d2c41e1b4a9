import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

/** Hardening: the packaged companion's Electron fuses, as electron-builder reads its config. */
const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));

test('electron-builder.yml flips the fuses: no run-as-node, NODE_OPTIONS or --inspect; only its own, integrity-checked app.asar', () => {
  const config = yaml.load(readFileSync(root('electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, unknown>; asar?: unknown };
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  });
  assert.notEqual(config.asar, false, 'onlyLoadAppFromAsar needs the app packed in app.asar');
  // Every key is one electron-builder knows (a misspelt fuse would be rejected at packaging, or ignored).
  const schema = JSON.parse(readFileSync(root('node_modules/app-builder-lib/scheme.json'), 'utf8')) as { definitions: Record<string, { properties: Record<string, unknown> }> };
  const known = Object.keys(schema.definitions.FuseOptionsV1!.properties);
  for (const key of Object.keys(config.electronFuses!)) assert.ok(known.includes(key), `${key} is not an electron-builder fuse option (${known.join(', ')})`);
});
