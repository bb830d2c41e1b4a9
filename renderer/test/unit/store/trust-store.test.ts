import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { Operator } from '@pitwall/protocol';
import { fail, installBridge, ok, type FakeBridge } from '../../helpers/fake-bridge.js';
import { useTrust } from '../../../src/store/trust-store.js';

let bridge: FakeBridge;
const initial = useTrust.getState();
beforeEach(() => {
  bridge = installBridge();
  useTrust.setState(initial, true);
});
const op = (name: string): Operator => ({ name, fingerprint: `SHA256:${name}`, role: 'staff' }) as unknown as Operator;
const requests = (ids: string[]) => ok({ unitFingerprint: 'SHA256:unit', requests: ids.map((id) => ({ id })) } as never);

test('operators: the newest answer wins over an older one that arrives after it', async () => {
  const first = useTrust.getState().loadOperators('u1');
  const second = useTrust.getState().loadOperators('u1');
  const [older, newer] = bridge.made('pairing:operators');
  newer!.answer(ok([op('new')]));
  older!.answer(ok([op('old')]));
  await Promise.all([first, second]);
  assert.deepEqual(useTrust.getState().units.u1?.operators?.map((o) => o.name), ['new']);
});

test('operators are kept per unit: one unit\'s answer never lands on another', async () => {
  bridge.handle('pairing:operators', ({ id }) => ok([op(id)]));
  await useTrust.getState().loadOperators('u1');
  await useTrust.getState().loadOperators('u2');
  assert.deepEqual(useTrust.getState().units.u1?.operators?.map((o) => o.name), ['u1']);
  assert.deepEqual(useTrust.getState().units.u2?.operators?.map((o) => o.name), ['u2']);
});

test('unpair: busy while asked, a refusal kept as the unpair error, a second click meanwhile asks nothing', async () => {
  const p = useTrust.getState().unpair('u1');
  assert.equal(useTrust.getState().units.u1?.unpairing, true);
  await useTrust.getState().unpair('u1');
  assert.equal(bridge.made('pairing:unpair').length, 1);
  bridge.waiting('pairing:unpair').answer(fail('unreachable'));
  await p;
  assert.deepEqual(useTrust.getState().units.u1, { ...useTrust.getState().units.u1, unpairing: false, error: { action: 'unpair', error: { code: 'unreachable', message: 'unreachable (from the fake bridge)' } } });
  bridge.handle('pairing:unpair', () => ok({}));
  await useTrust.getState().unpair('u1');
  assert.equal(useTrust.getState().units.u1?.error, null);
});

test('revoke names the operator by key, keeps a refusal, and lists the operators again either way', async () => {
  bridge.handle('pairing:revoke', () => fail('forbidden')).handle('pairing:operators', () => ok([op('a')]));
  await useTrust.getState().revoke('u1', 'SHA256:a');
  assert.deepEqual(bridge.made('pairing:revoke')[0]?.params, { id: 'u1', fingerprint: 'SHA256:a' });
  assert.equal(useTrust.getState().units.u1?.error?.action, 'revoke');
  assert.equal(bridge.made('pairing:operators').length, 1);
});

test('answering an owner request: approve or deny by id, one at a time, then requests and operators listed again', async () => {
  bridge.handle('pairing:requests', () => requests([])).handle('pairing:operators', () => ok([op('a'), op('b')]));
  const approving = useTrust.getState().answerRequest('u1', 'r1', true);
  assert.equal(useTrust.getState().units.u1?.answering, 'r1');
  await useTrust.getState().answerRequest('u1', 'r2', false);
  assert.equal(bridge.made('pairing:deny').length, 0, 'a second answer while one is out is ignored');
  bridge.waiting('pairing:approve').answer(ok(op('b')));
  await approving;
  assert.deepEqual(bridge.made('pairing:approve')[0]?.params, { id: 'u1', requestId: 'r1' });
  const u = useTrust.getState().units.u1!;
  assert.equal(u.answering, null);
  assert.equal(u.requestError, null);
  assert.deepEqual(u.requests?.requests, []);
  assert.equal(u.operators?.length, 2);
  bridge.handle('pairing:deny', () => fail('not-found'));
  await useTrust.getState().answerRequest('u1', 'r9', false);
  assert.equal(useTrust.getState().units.u1?.requestError?.code, 'not-found');
});

test('a failed request listing keeps what was shown', async () => {
  bridge.handle('pairing:requests', () => requests(['r1']));
  await useTrust.getState().loadRequests('u1');
  bridge.handle('pairing:requests', () => fail('unreachable'));
  await useTrust.getState().loadRequests('u1');
  assert.deepEqual(useTrust.getState().units.u1?.requests?.requests, [{ id: 'r1' }]);
});
