import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHandlers, createDispatch } from '../../../src/handlers.js';
import { createFakeCore, UNIT_A, UNIT_B } from '../../helpers/fake-core.js';

const setup = () => {
  const internal: unknown[] = [];
  const core = createFakeCore(() => undefined);
  const dispatch = createDispatch(buildHandlers(core.handlers, { version: '9.9.9', mode: 'browser' }), { onInternalError: (_m, e) => internal.push(e) });
  return { core, dispatch, internal };
};

test('app:info comes from main', async () => {
  const { dispatch } = setup();
  assert.deepEqual(await dispatch('app:info', {}), { ok: true, value: { version: '9.9.9', mode: 'browser' } });
});

test('missing params count as {}', async () => {
  const { dispatch } = setup();
  const res = await dispatch('devices:list', undefined);
  assert.equal(res.ok, true);
});

test('unknown and non-string method names get unknown-method', async () => {
  const { dispatch } = setup();
  for (const m of ['nope', 'constructor', '__proto__', 'toString', '', 42, null, { a: 1 }, ['devices:list']]) {
    const res = await dispatch(m, {});
    assert.equal(res.ok, false);
    if (!res.ok) assert.equal(res.error.code, 'unknown-method', String(m));
  }
});

test('invalid params get invalid-params and never reach the handler', async () => {
  const { dispatch, core } = setup();
  const bad: unknown[] = [null, 'x', 1, [], { id: 'not-a-uuid' }, { id: UNIT_A, extra: 1 }, { id: UNIT_B.toUpperCase() }];
  for (const p of bad) {
    const res = await dispatch('live:watch', p);
    assert.equal(res.ok, false);
    if (!res.ok) assert.equal(res.error.code, 'invalid-params', JSON.stringify(p));
  }
  const long = await dispatch('devices:add-address', { address: 'x'.repeat(256) });
  assert.equal(!long.ok && long.error.code, 'invalid-params');
  assert.deepEqual(core.calls, []);
});

test('CompanionError keeps its code and message', async () => {
  const { dispatch } = setup();
  assert.deepEqual(await dispatch('devices:add-address', { address: 'nowhere' }), {
    ok: false,
    error: { code: 'bad-address', message: '"nowhere" is not a unit address' },
  });
  const missing = await dispatch('devices:forget', { id: '00000000-0000-4000-8000-000000000000' });
  assert.equal(!missing.ok && missing.error.code, 'not-found');
});

test('other failures become internal with a safe message; the detail goes to the log only', async () => {
  const { dispatch, internal } = setup();
  const res = await dispatch('devices:add-address', { address: 'boom' });
  assert.equal(res.ok, false);
  if (!res.ok) {
    assert.equal(res.error.code, 'internal');
    assert.ok(!res.error.message.includes('secret'));
    assert.ok(!res.error.message.includes('.ssh'));
  }
  assert.equal(internal.length, 1);
});
