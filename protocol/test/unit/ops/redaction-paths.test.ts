import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretKey, redactValue } from '../../../src/ops/redaction.js';
import { SECRET_FIELD_PATHS, SECRET_TOP_FIELDS, censorSecretField } from '../../../src/ops/redaction-paths.js';

test("pino's paths are part of the field-name rule, not a second rule: each ends in a secret name, none starts with a wildcard", () => {
  for (const path of SECRET_FIELD_PATHS) {
    const names = path.split('.');
    assert.ok(isSecretKey(names.at(-1)!), `${path} ends in a name the shared rule keeps`);
    assert.ok(!names.includes('*'), `${path}: pino runs a wildcard path over every field of every record`);
  }
  assert.deepEqual([...SECRET_TOP_FIELDS].sort(), SECRET_FIELD_PATHS.filter((p) => !p.includes('.')).sort());
});

test('the censor keeps and removes what the shared rule keeps and removes', () => {
  for (const value of [null, undefined, '', true, false, 'hunter2', 0, 42, { a: 1 }, ['x'], new Error('x')]) {
    for (const name of SECRET_TOP_FIELDS) {
      const rule = (redactValue({ [name]: value }) as Record<string, unknown>)[name];
      const censored = censorSecretField(value);
      assert.deepEqual(censored === value ? redactValue(value) : censored, rule, `${name}: ${String(value)}`);
    }
  }
});
