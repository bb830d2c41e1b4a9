import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// Device API paths are written once, in the route table: lint refuses a `/v1/` path anywhere
// else in code, in the testbed's fakes, the bench servers and the test helpers. Each case is
// proven by a file that must fail, next to one that must pass.
const eslint = new ESLint();
async function refusal(filePath: string, code: string): Promise<string | null> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).find((m) => m.ruleId === 'routes/no-route-literal')?.message ?? null;
}

describe('device API paths only in the route table', () => {
  const refused: [string, string][] = [
    ['app/src/x.ts', "export const p = '/v1/status';"],
    ['app/src/x.ts', 'export const p = (id: string) => `/v1/sessions/${id}/confirm`;'],
    ['app/src/x.ts', 'export const p = (t: string) => `https://${t}/v1/live`;'],
    ['device-firmware-ts/src/api/x.ts', "export const url = '/v1/wifi/networks';"],
    ['testbed/x.ts', 'export const m = /^\\/v1\\/crashes\\/([a-z]+)$/;'],
    ['bench/x.ts', "export const label = 'GET /v1/info (baseline)';"],
    ['app/test/helpers/x.ts', "export const p = '/v1/sessions';"],
    ['protocol/src/device-api/route-spec.ts', "export const p = '/v1/info';"],
    ['renderer/src/x.tsx', "export const p = '/v1/status';"],
  ];
  for (const [file, code] of refused) {
    it(`refuses ${code} in ${file}`, async () => {
      const message = await refusal(file, code);
      assert.ok(message, 'refused');
      assert.match(message, /route table/);
    });
  }

  const allowed: [string, string][] = [
    ['protocol/src/device-api/routes.ts', "export const p = '/v1/status';"],
    ['app/src/x.ts', "import { Routes } from '@pitwall/protocol';\nexport const p = Routes.status.path;"],
    ['app/src/x.ts', '// GET /v1/status in a comment names the route for a reader\nexport const a = 1;'],
    ['app/src/x.ts', "export const p = '/v10/other', q = 'x/v1y';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows ${code.split('\n').at(-1)} in ${file}`, async () => {
      assert.equal(await refusal(file, code), null);
    });
  }
});
