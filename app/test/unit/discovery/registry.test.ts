import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceRegistry } from '../../../src/discovery/device-registry.js';
import { SseParser } from '../../../src/device-client/live-client.js';
import { isGadgetPort } from '../../../src/discovery/serial-scanner.js';

const A = { id: '11111111-2222-4333-8444-555555555555', name: 'Alpha', model: 'PW-1', firmware: '0.1.0', commit: null };
const B = { ...A, id: '99999999-2222-4333-8444-555555555555', name: 'Bravo' };

test('one unit seen on two links is one entry; online while any link is', async () => {
  const changes: number[] = [];
  const reg = new DeviceRegistry(null, { onChange: (e) => changes.push(e.length), debounceMs: 10 });
  reg.linkUp(A, 'mdns', '10.1.0.2:8080', 100);
  reg.linkUp({ ...A, commit: 'deadbee' }, 'usb', '/dev/ttyACM0', 200);
  let [entry] = reg.list();
  assert.equal(reg.list().length, 1);
  assert.equal(entry?.links.length, 2);
  assert.equal(entry?.commit, 'deadbee');
  assert.equal(entry?.lastSeen, 200);
  reg.linkDown('mdns', '10.1.0.2:8080');
  assert.equal(reg.get(A.id)?.online, true);
  reg.linkDown('usb', '/dev/ttyACM0', A.id);
  entry = reg.get(A.id);
  assert.equal(entry?.online, false);
  assert.equal(entry?.commit, 'deadbee', 'commit kept when mDNS (no commit) reports again');
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(changes, [1], 'changes are debounced into one event');
  reg.close();
});

test('a port that now leads to another unit moves the link; stale links of a kind are replaced', () => {
  const reg = new DeviceRegistry(null);
  reg.linkUp(A, 'usb', '/dev/ttyACM0', 100);
  reg.linkUp(B, 'usb', '/dev/ttyACM0', 200);
  assert.equal(reg.get(A.id)?.online, false);
  assert.equal(reg.get(B.id)?.online, true);
  reg.linkUp(B, 'mdns', '10.1.0.3:1000', 300);
  reg.linkDown('mdns', '10.1.0.3:1000');
  reg.linkUp(B, 'mdns', '10.1.0.3:2000', 400);
  assert.deepEqual(reg.get(B.id)?.links.map((l) => l.target), ['/dev/ttyACM0', '10.1.0.3:2000']);
  assert.deepEqual(reg.networkTargets(B.id), ['10.1.0.3:2000']);
  assert.equal(reg.forget(A.id), true);
  assert.equal(reg.list().length, 1);
});

test('SSE parser: events split across chunks, comments, CRLF', () => {
  const got: [string, string][] = [];
  const p = new SseParser((e, d) => got.push([e, d]));
  p.push(': hello\nretry: 2000\n\nevent: fi');
  p.push('x\ndata: {"a":1}\n\n');
  p.push('event: fix\r\ndata: {"a":\r\ndata: 2}\r\n\r\ndata: plain\n\n');
  assert.deepEqual(got, [
    ['fix', '{"a":1}'],
    ['fix', '{"a":\n2}'],
    ['message', 'plain'],
  ]);
  assert.equal(p.push(`data: ${'x'.repeat(70_000)}`), false, 'oversized event is refused');
});

test('gadget VID/PID filter', () => {
  assert.equal(isGadgetPort({ path: '/dev/ttyACM0', vendorId: '1D6B', productId: '0104' }), true);
  assert.equal(isGadgetPort({ path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' }), false);
  assert.equal(isGadgetPort({ path: '/dev/ttyS0' }), false);
});
