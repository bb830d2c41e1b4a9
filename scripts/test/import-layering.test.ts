import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The layering of DESIGN.md is enforced by lint: a wrong import must fail.
const eslint = new ESLint();
async function restricted(filePath: string, code: string): Promise<boolean> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
}

describe('import layering', () => {
  const cases: [string, string, boolean][] = [
    ['app/src/x.ts', "import { app } from 'electron';\nexport const a = app;", true],
    ['app/src/x.ts', "import { x } from '@pitwall/main';\nexport const a = x;", true],
    ['renderer/src/x.ts', "import fs from 'node:fs';\nexport const a = fs;", true],
    ['renderer/src/x.ts', "import fs from 'fs';\nexport const a = fs;", true],
    ['renderer/src/x.ts', "import { x } from '@pitwall/app';\nexport const a = x;", true],
    ['protocol/src/x.ts', "import { x } from '@pitwall/app';\nexport const a = x;", true],
    ['protocol/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;", true],
    ['device-firmware-ts/src/x.ts', "import { x } from '@pitwall/app';\nexport const a = x;", true],
    ['main/src/x.ts', "import { x } from '@pitwall/renderer';\nexport const a = x;", true],
    ['renderer/src/x.ts', "import { deviceInfo } from '@pitwall/protocol';\nexport const a = deviceInfo;", false],
    ['app/src/x.ts', "import { deviceInfo } from '@pitwall/protocol';\nexport const a = deviceInfo;", false],
    ['main/src/x.ts', "import { app } from 'electron';\nexport const a = app;", false],
    // protocol/node is protocol's one Node part: Node there, never in the pure contracts or the UI.
    ['protocol/src/node/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;", false],
    ['protocol/src/node/x.ts', "import { x } from '@pitwall/app';\nexport const a = x;", true],
    ['protocol/src/ops/x.ts', "import { writeFileAtomic } from '../node/atomic-file.js';\nexport const a = writeFileAtomic;", true],
    ['renderer/src/x.ts', "import { writeFileAtomic } from '@pitwall/protocol/node';\nexport const a = writeFileAtomic;", true],
    ['device-firmware-ts/src/x.ts', "import { writeFileAtomic } from '@pitwall/protocol/node';\nexport const a = writeFileAtomic;", false],
  ];
  for (const [file, code, refused] of cases) {
    it(`${refused ? 'refuses' : 'allows'} ${code.split('\n')[0]} in ${file}`, async () => {
      assert.equal(await restricted(file, code), refused);
    });
  }
});
