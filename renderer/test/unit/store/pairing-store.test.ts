import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { fail, installBridge, ok, settle, type FakeBridge } from '../../helpers/fake-bridge.js';
import { usePairing, WAIT_S } from '../../../src/store/pairing-store.js';

let bridge: FakeBridge;
const initial = usePairing.getState();
beforeEach(() => {
  bridge = installBridge();
  usePairing.setState(initial, true);
  usePairing.getState().open('unit-1');
});
const paired = ok({ role: 'owner' as const, unitFingerprint: 'SHA256:unit', operatorFingerprint: 'SHA256:me' });

test('pairing over USB asks once with the chosen role and shows both keys', async () => {
  bridge.handle('pairing:pair', () => paired);
  await usePairing.getState().start('usb', 'staff');
  assert.deepEqual(bridge.made('pairing:pair').map((c) => c.params), [{ id: 'unit-1', via: 'usb', role: 'staff' }]);
  assert.deepEqual(usePairing.getState().phase, { kind: 'done', role: 'owner', fingerprint: 'SHA256:unit', operatorFingerprint: 'SHA256:me' });
});

test('over the network it waits for the button: a closed window keeps waiting, an open one pairs', async () => {
  bridge.handle('pairing:window', () => ok({ open: false }) as never);
  await usePairing.getState().start('net', 'dealer', 1_000);
  assert.equal(usePairing.getState().phase.kind, 'waiting');
  assert.equal(bridge.made('pairing:pair').length, 0);
  bridge.handle('pairing:window', () => ok({ open: true }) as never).handle('pairing:pair', () => paired);
  await usePairing.getState().tick(2_000);
  assert.deepEqual(bridge.made('pairing:pair').map((c) => c.params), [{ id: 'unit-1', via: 'net', role: 'dealer' }]);
  assert.equal(usePairing.getState().phase.kind, 'done');
});

test('ticks do not overlap; a window question that never comes back still ends the wait', async () => {
  const started = usePairing.getState().start('net', 'owner', 0);
  void usePairing.getState().tick(500);
  void usePairing.getState().tick(900);
  assert.equal(bridge.made('pairing:window').length, 1);
  await usePairing.getState().tick(WAIT_S * 1000 + 1);
  assert.equal(usePairing.getState().phase.kind, 'error');
  // The late answer (window open) must not pair after the wait was given up.
  bridge.waiting('pairing:window').answer(ok({ open: true }) as never);
  await started;
  await settle();
  assert.equal(bridge.made('pairing:pair').length, 0);
  assert.equal(usePairing.getState().phase.kind, 'error');
});

test('the button not pressed within the wait is an error naming the wait; nothing is asked then', async () => {
  bridge.handle('pairing:window', () => ok({ open: false }) as never);
  await usePairing.getState().start('net', 'owner', 0);
  const asked = bridge.calls.length;
  await usePairing.getState().tick(WAIT_S * 1000 + 1);
  const phase = usePairing.getState().phase;
  assert.equal(phase.kind, 'error');
  assert.equal(phase.kind === 'error' && phase.error.code, 'pairing-closed');
  assert.equal(bridge.calls.length, asked);
});

test('a failing window question is shown as the error, and retry goes back to choosing', async () => {
  bridge.handle('pairing:window', () => fail('unreachable', 'The unit did not answer.'));
  await usePairing.getState().start('net', 'owner', 0);
  assert.deepEqual(usePairing.getState().phase, { kind: 'error', error: { code: 'unreachable', message: 'The unit did not answer.' } });
  usePairing.getState().retry();
  assert.deepEqual(usePairing.getState().phase, { kind: 'choose' });
});

test('an answer for a dialog already closed (or reopened) changes nothing', async () => {
  const pairing = usePairing.getState().start('usb', 'owner');
  usePairing.getState().close();
  usePairing.getState().open('unit-2');
  bridge.waiting('pairing:pair').answer(paired);
  await pairing;
  assert.equal(usePairing.getState().unitId, 'unit-2');
  assert.deepEqual(usePairing.getState().phase, { kind: 'choose' });
});
