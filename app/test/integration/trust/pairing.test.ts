import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CompanionError, type DeviceEntry } from '@pitwall/protocol';
import { createCompanion, type Companion } from '../../../src/companion.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import type { SimUnit } from '../../../../testbed/sim-unit.js';
import { readUnitKey, startFakeUnit, type FakeUnit } from '../../helpers/fake-unit-server.js';
import { killStrays, scratchDir, startUnit, waitFor } from '../../helpers/units.js';

/** Pairing against a real simulated unit (HTTPS + mutual TLS, USB pty, sim pairing button). */
const scratch = scratchDir('pairing');
let unit: SimUnit;
let owner: Companion;
let staff: Companion | undefined;
let fake: FakeUnit | undefined;
const unitDir = () => join(scratch.dir, 'Pair-A');

function companion(name: string, serialPaths: string[] = []): Companion {
  return createCompanion({
    dataDir: join(scratch.dir, name),
    mdns: false,
    serialPaths,
    listPorts: async () => [],
    hotplug: false,
    pollIntervalMs: 300,
    events: () => undefined,
    operatorName: name,
  });
}

async function entry(c: Companion): Promise<DeviceEntry> {
  return (await c.handlers['devices:list']({})).find((e) => e.id === unit.ready.id)!;
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<CompanionError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CompanionError, `not a CompanionError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

before(async () => {
  unit = await startUnit(scratch.dir, 'Pair-A');
  owner = companion('owner', [unit.ready.serialPath]);
  await owner.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
});
after(async () => {
  await owner?.close();
  await staff?.close();
  await fake?.close();
  await unit?.stop('SIGTERM');
  killStrays(scratch.dir);
  scratch.cleanup();
});

test('before pairing: public info only; status is refused as not-paired', async () => {
  const e = await entry(owner);
  assert.equal(e.pairing.state, 'unpaired');
  assert.match(e.pairing.seenFingerprint ?? '', /^SHA256:/);
  await rejectsWith(owner.handlers['devices:status']({ id: unit.ready.id }), 'not-paired', /Pair it first/);
  await rejectsWith(owner.handlers['live:watch']({ id: unit.ready.id }), 'not-paired');
});

test('USB pairing over the socat pty pins the unit key; status then works (mutual TLS + challenge)', async (t) => {
  await waitFor('usb link', async () => (await entry(owner)).links.some((l) => l.kind === 'usb' && l.online), 8000);
  const started = performance.now();
  const result = await owner.handlers['pairing:pair']({ id: unit.ready.id, via: 'usb', role: 'owner' });
  t.diagnostic(`USB pairing took ${(performance.now() - started).toFixed(0)} ms`);
  const e = await entry(owner);
  assert.equal(result.role, 'owner');
  assert.deepEqual(
    { state: e.pairing.state, role: e.pairing.role, pinned: e.pairing.pinnedFingerprint },
    { state: 'paired', role: 'owner', pinned: result.unitFingerprint },
  );
  assert.equal(e.pairing.seenFingerprint, result.unitFingerprint, 'the network link presents the key pinned over USB');
  const status = await owner.handlers['devices:status']({ id: unit.ready.id });
  assert.equal(status.id, unit.ready.id);
  assert.equal(status.identity.fingerprint, result.unitFingerprint);
  const me = await owner.handlers['operator:identity']({});
  const ops = await owner.handlers['pairing:operators']({ id: unit.ready.id });
  assert.deepEqual(ops.map((o) => [o.fingerprint, o.role, o.via]), [[me.fingerprint, 'owner', 'usb']]);
});

test('network pairing: refused outside the window, accepted inside it (sim button pressed)', async (t) => {
  staff = companion('staff');
  await staff.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
  assert.deepEqual(await staff.handlers['pairing:window']({ id: unit.ready.id }), { open: false, closesInS: null });
  await rejectsWith(staff.handlers['pairing:pair']({ id: unit.ready.id, via: 'net', role: 'staff' }), 'pairing-closed', /press the pairing button on the unit, then try again within 2 minutes/);
  assert.equal((await entry(staff)).pairing.state, 'unpaired', 'nothing pinned after a refusal');
  await pressSimButton(unitDir(), 'pair');
  const window = await staff.handlers['pairing:window']({ id: unit.ready.id });
  assert.equal(window.open, true);
  assert.ok(window.closesInS !== null && window.closesInS > 100 && window.closesInS <= 120, `closes in ${window.closesInS}`);
  const started = performance.now();
  const result = await staff.handlers['pairing:pair']({ id: unit.ready.id, via: 'net', role: 'staff' });
  t.diagnostic(`network pairing took ${(performance.now() - started).toFixed(0)} ms`);
  assert.equal(result.role, 'staff');
  assert.equal((await entry(staff)).pairing.state, 'paired');
  assert.equal((await staff.handlers['devices:status']({ id: unit.ready.id })).id, unit.ready.id);
  await rejectsWith(staff.handlers['pairing:operators']({ id: unit.ready.id }), 'forbidden', /only an owner/);
});

test('the owner lists and revokes operators; a revoked companion is refused', async () => {
  const staffFp = (await staff!.handlers['operator:identity']({})).fingerprint;
  const ops = await owner.handlers['pairing:operators']({ id: unit.ready.id });
  assert.deepEqual(ops.map((o) => o.role).sort(), ['owner', 'staff']);
  await owner.handlers['pairing:revoke']({ id: unit.ready.id, fingerprint: staffFp });
  await rejectsWith(staff!.handlers['devices:status']({ id: unit.ready.id }), 'not-paired', /revoked/);
  const after = await owner.handlers['pairing:operators']({ id: unit.ready.id });
  assert.ok(after.find((o) => o.fingerprint === staffFp)?.revokedAt, 'marked revoked');
  await staff!.handlers['pairing:unpair']({ id: unit.ready.id });
  assert.equal((await entry(staff!)).pairing.state, 'unpaired');
});

test('key change: another key at the pinned unit address -> key-changed naming both keys, nothing authenticated sent', async () => {
  const pinned = (await entry(owner)).pairing.pinnedFingerprint!;
  const port = unit.ready.apiPort;
  await unit.stop('SIGTERM');
  fake = await startFakeUnit({ port, info: { id: unit.ready.id, name: 'Pair-A', model: 'PW-1 (sim)', firmware: { version: '9.9.9', commit: 'fake' }, apiVersion: 1 } });
  const e = await waitFor('key-changed state', async () => {
    const x = await entry(owner);
    return x.pairing.state === 'key-changed' && x;
  }, 8000);
  assert.equal(e.pairing.seenFingerprint, fake.fingerprint);
  const err = await rejectsWith(owner.handlers['devices:status']({ id: unit.ready.id }), 'key-changed');
  assert.ok(err.message.includes(pinned) && err.message.includes(fake.fingerprint), err.message);
  assert.match(err.message, /identity of Pair-A has changed/);
  await rejectsWith(owner.handlers['live:watch']({ id: unit.ready.id }), 'key-changed');
  await rejectsWith(owner.handlers['pairing:operators']({ id: unit.ready.id }), 'key-changed');
  const authenticated = fake.requests.filter((r) => !/^GET \/v1\/(info|pairing)$/.test(r));
  assert.deepEqual(authenticated, [], 'no request beyond the public ones reached the impostor');
});

test('challenge failure: a server presenting the pinned key but unable to sign with it is refused', async () => {
  const port = fake!.port;
  await fake!.close();
  const key = readUnitKey(readFileSync(join(unitDir(), 'identity', 'unit-key.pem'), 'utf8'));
  fake = await startFakeUnit({ port, key, badSignature: true, info: { id: unit.ready.id, name: 'Pair-A', model: 'PW-1 (sim)', firmware: { version: '9.9.9', commit: 'fake' }, apiVersion: 1 } });
  await waitFor('paired state again (pinned key presented)', async () => (await entry(owner)).pairing.state === 'paired', 8000);
  await rejectsWith(owner.handlers['devices:status']({ id: unit.ready.id }), 'key-changed', /could not prove that it holds the pinned key/);
  assert.ok(fake.requests.includes('POST /v1/identity/challenge'), fake.requests.join(', '));
  assert.ok(!fake.requests.includes('GET /v1/status'), 'status never asked of an unproven unit');
});

test('fuzzed params of the pairing methods -> invalid-params, never a crash', async () => {
  const id = unit.ready.id;
  const bad: [string, unknown][] = [
    ['pairing:window', {}],
    ['pairing:window', { id: 'nope' }],
    ['pairing:pair', { id, via: 'bluetooth', role: 'owner' }],
    ['pairing:pair', { id, via: 'usb', role: 'root' }],
    ['pairing:pair', { id, via: 'usb' }],
    ['pairing:pair', { id, via: 'usb', role: 'owner', extra: 1 }],
    ['pairing:pair', null],
    ['pairing:unpair', { id: 42 }],
    ['pairing:operators', []],
    ['pairing:revoke', { id, fingerprint: 'SHA256:short' }],
    ['pairing:revoke', { id, fingerprint: '../../etc/passwd' }],
    ['pairing:revoke', { id }],
    ['operator:identity', { x: 1 }],
    ['pairing:requests', {}],
    ['pairing:approve', { id, requestId: '../../v1/operators' }],
    ['pairing:approve', { id, requestId: '0123456789ABCDEF' }],
    ['pairing:approve', { id }],
    ['pairing:deny', { id, requestId: '0123456789abcdef0' }],
    ['pairing:deny', { id, requestId: '0123456789abcdef', extra: 1 }],
  ];
  for (let i = 0; i < 200; i++) {
    const junk = [undefined, '', 'x'.repeat(10_000), -1, {}, [], { id: '\u0000' }, { id, fingerprint: `SHA256:${'A'.repeat(43)}\n` }][i % 8];
    bad.push([['pairing:pair', 'pairing:revoke', 'pairing:window', 'pairing:unpair', 'pairing:approve', 'pairing:deny'][i % 6]!, i % 3 === 0 ? junk : { id, via: junk, role: junk, fingerprint: junk, requestId: junk }]);
  }
  for (const [method, params] of bad) {
    const handler = owner.handlers[method as 'pairing:pair'] as (p: unknown) => Promise<unknown>;
    await rejectsWith(handler(params), 'invalid-params');
  }
  assert.ok((await owner.handlers['devices:list']({})).length >= 1, 'companion still serving');
});
