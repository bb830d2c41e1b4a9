import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The layering is enforced by lint with ALLOWED lists: every rule is proven by an import that
// must fail, next to one that must pass.
const eslint = new ESLint();
async function refusal(filePath: string, code: string): Promise<string | null> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).find((m) => m.ruleId === 'layering/allowed-imports')?.message ?? null;
}
const use = (spec: string) => `import * as m from '${spec}';\nexport const a = m;`;

describe('import layering (allowed lists)', () => {
  const refused: [string, string, RegExp][] = [
    // protocol: its own files and its declared dependencies only
    ['protocol/src/x.ts', use('fastify'), /'fastify' is not on the allowed list/],
    ['protocol/src/x.ts', use('@pitwall/app'), /not on the allowed list/],
    ['protocol/src/x.ts', use('node:fs'), /Node module/],
    ['protocol/src/x.ts', "export * from 'fastify';", /'fastify'/],
    ['protocol/src/x.ts', use('../../app/src/index.js'), /leaves the protocol\/ workspace/],
    // renderer: protocol, react, zustand and its own files
    ['renderer/src/x.ts', use('fastify'), /'fastify' is not on the allowed list/],
    ['renderer/src/x.ts', use('node:fs'), /Node module/],
    ['renderer/src/x.ts', use('fs'), /Node module/],
    ['renderer/src/x.ts', use('@pitwall/app'), /not on the allowed list/],
    ['renderer/src/x.ts', use('electron'), /not on the allowed list/],
    ['renderer/src/screens/x.ts', use('../../../app/src/x'), /leaves the renderer\/ workspace/],
    ['renderer/src/x.ts', "export const a = () => import('better-sqlite3');", /'better-sqlite3'/],
    // electron only in the Electron entry files
    ['main/src/x.ts', use('electron'), /'electron' is not on the allowed list/],
    ['main/src/companion.ts', "import { app } from 'electron';\nexport const a = app;", /'electron'/],
    ['app/src/x.ts', use('electron'), /'electron'/],
    ['preload/src/browser-bridge.ts', use('electron'), /'electron'/],
    ['preload/src/x.ts', use('node:fs'), /Node module/],
    // the other workspaces: declared dependencies, no reaching across by path
    ['app/src/x.ts', use('@pitwall/main'), /not on the allowed list/],
    ['app/src/x.ts', use('../../main/src/cli.js'), /leaves the app\/ workspace/],
    ['main/src/x.ts', use('@pitwall/renderer'), /not on the allowed list/],
    ['main/src/x.ts', use('react'), /not on the allowed list/],
    ['device-firmware-ts/src/x.ts', use('@pitwall/app'), /not on the allowed list/],
    ['device-firmware-ts/src/x.ts', use('better-sqlite3'), /not on the allowed list/],
    ['device-firmware-ts/src/x.ts', use('../../app/src/index.js'), /leaves the device-firmware-ts\/ workspace/],
    // inside the unit: simulation stays below hal/, the data path knows nothing of the API
    ['device-firmware-ts/src/pipeline/x.ts', use('../hal/sim/sim-imu-feed.js'), /reaches into device-firmware-ts\/src\/hal\/sim/],
    ['device-firmware-ts/src/runtime.ts', use('./hal/sim/sim-profile.js'), /reaches into device-firmware-ts\/src\/hal\/sim/],
    ['device-firmware-ts/src/ops/x.ts', use('../hal/sim/sim-board.js'), /reaches into device-firmware-ts\/src\/hal\/sim/],
    ['device-firmware-ts/src/pipeline/x.ts', use('../api/http-server.js'), /reaches into device-firmware-ts\/src\/api/],
    // protocol/node is protocol's one Node part: Node there, never in the pure contracts or the UI
    ['protocol/src/node/x.ts', use('@pitwall/app'), /not on the allowed list/],
    ['protocol/src/ops/x.ts', use('../node/atomic-file.js'), /reaches into protocol\/src\/node\//],
    ['renderer/src/x.ts', use('@pitwall/protocol/node'), /runs on Node only/],
    ['preload/src/x.ts', use('@pitwall/protocol/node'), /runs on Node only/],
  ];
  for (const [file, code, why] of refused) {
    it(`refuses ${code.split('\n')[0]} in ${file}`, async () => {
      const message = await refusal(file, code);
      assert.ok(message, 'refused');
      assert.match(message, why);
    });
  }

  const allowed: [string, string][] = [
    ['protocol/src/x.ts', use('@sinclair/typebox/compiler')],
    ['protocol/src/timing/x.ts', use('../tracks/index.js')],
    ['renderer/src/x.ts', use('@pitwall/protocol')],
    ['renderer/src/x.ts', use('zustand/react/shallow')],
    ['renderer/src/x.ts', use('react-dom/client')],
    ['renderer/src/screens/x.ts', use('../store/devices.js')],
    ['main/src/electron-main.ts', use('electron')],
    ['main/src/safe-storage-store.ts', "import type { safeStorage } from 'electron';\nexport type S = typeof safeStorage;"],
    ['preload/src/electron-preload.ts', use('electron')],
    ['main/src/x.ts', use('@pitwall/app')],
    ['main/src/x.ts', use('node:http')],
    ['app/src/x.ts', use('better-sqlite3')],
    ['device-firmware-ts/src/x.ts', use('fastify')],
    ['device-firmware-ts/src/hal/profiles.ts', use('./sim/sim-profile.js')],
    ['device-firmware-ts/src/hal/sim/x.ts', use('./sim-gpio.js')],
    ['device-firmware-ts/src/api/x.ts', use('../pipeline/start-data-path.js')],
    ['protocol/src/node/x.ts', use('node:fs')],
    ['device-firmware-ts/src/x.ts', use('@pitwall/protocol/node')],
    ['app/src/x.ts', use('@pitwall/protocol/node')],
  ];
  for (const [file, code] of allowed) {
    it(`allows ${code.split('\n')[0]} in ${file}`, async () => {
      assert.equal(await refusal(file, code), null);
    });
  }

  it("reads each workspace's allowed packages from its own package.json", async () => {
    for (const ws of ['protocol', 'device-firmware-ts', 'app', 'main', 'preload', 'renderer']) {
      const pkg = JSON.parse(readFileSync(new URL(`../../${ws}/package.json`, import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
      for (const dep of Object.keys(pkg.dependencies ?? {})) {
        assert.equal(await refusal(`${ws}/src/x.ts`, use(dep)), null, `${ws} declares ${dep}`);
      }
    }
  });
});
