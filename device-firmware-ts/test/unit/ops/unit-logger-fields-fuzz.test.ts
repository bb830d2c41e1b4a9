// The unit's logger hands the common record to pino as it is, lets pino's own paths censor the
// top-level secret fields they name, and copies through the shared rules only what else could
// change. Whichever way a record goes, its fields in the file must be exactly what the shared
// rules make of them (reserved names renamed), and no planted secret may reach the file or ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SECRET_TOP_FIELDS, redactValue } from '@pitwall/protocol';
import { createUnitLogger } from '../../../src/index.js';
import { prng, pick } from '../../helpers/prng.js';
import { tempDir } from '../../helpers/paths.js';

const SEED = 0x10_9e_a5;
const rand = prng(SEED);
const RECORD = ['level', 'time', 'boot', 'fw', 'commit', 'unit', 'subsystem', 'seq', 'msg'];
const anyCase = (s: string) => [...s].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');

let planted = 0;
const secret = () => `zq${planted++}x${Math.floor(rand() * 1e9).toString(36)}`;

function value(depth: number, secrets: string[]): unknown {
  const r = rand();
  if (r < 0.15) {
    const s = secret();
    secrets.push(s);
    return pick(rand, [{ apiKey: s }, `psk=${s}`, { note: `token: ${s}` }]);
  }
  if (depth > 2 || r < 0.6) return pick(rand, [1, 2.5, -3, true, false, null, '', 'Paddock', 'GET /v1/info 200', undefined]);
  return rand() < 0.3 ? [value(depth + 1, secrets), value(depth + 1, secrets)] : fields(depth + 1, secrets);
}

function fields(depth: number, secrets: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i >= 0; i--) {
    const r = rand();
    if (r < 0.35) {
      // A name pino's paths censor, as it is or in another case (then only the shared rule knows it).
      const name = pick(rand, [...SECRET_TOP_FIELDS]);
      const s = secret();
      secrets.push(s);
      out[rand() < 0.7 ? name : anyCase(name)] = pick(rand, [s, { inner: s }, [s], null, '', true]);
    } else if (r < 0.45) {
      out[pick(rand, ['seq', 'boot', 'level', 'msg'])] = value(depth + 1, secrets);
    } else {
      out[pick(rand, ['lat', 'speedMps', 'ssid', 'note', 'wifi', 'headers', 'mode', 'err'])] = value(depth + 1, secrets);
    }
  }
  return out;
}

test(`seeded fuzz (seed ${SEED}): pino's paths and the shared rules give the file exactly the shared rules' fields`, async () => {
  const { dir, cleanup } = await tempDir('log-fields');
  try {
    const file = join(dir, 'pitwall.log');
    const logger = createUnitLogger({ file, fw: '1', commit: 'c', unit: 'u', stderrLevel: null, ringSize: 5_000 });
    const log = logger.for('net');
    const sent: Record<string, unknown>[] = [];
    const secrets: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const f = fields(0, secrets);
      sent.push(f);
      log.info(`record ${i}`, f);
    }
    await logger.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, sent.length);
    lines.forEach((line, i) => {
      const got: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(line)) if (!RECORD.includes(k)) got[k] = v;
      const want: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(JSON.parse(JSON.stringify(redactValue(sent[i]))) as Record<string, unknown>)) want[RECORD.includes(k) ? `${k}_` : k] = v;
      assert.deepEqual(got, want, `record ${i}: ${JSON.stringify(sent[i])}`);
    });
    const all = `${await readFile(file, 'utf8')}\n${logger.ring.snapshot().join('\n')}`;
    assert.ok(secrets.length > 1_000);
    for (const s of secrets) assert.ok(!all.includes(s), `secret ${s} reached the log`);
  } finally {
    await cleanup();
  }
});
