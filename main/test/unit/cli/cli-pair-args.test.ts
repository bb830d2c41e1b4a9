import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceEntry } from '@pitwall/protocol';
import { parseCli, UsageError } from '../../../src/cli-args.js';
import { matchUnit } from '../../../src/unit-commands.js';
import { entry } from '../../helpers/fake-core.js';

test('pair/operators/unpair arguments: defaults, and clear usage errors', () => {
  assert.deepEqual(parseCli(['pair', 'Kart 7']), {
    command: 'pair', unit: 'Kart 7', via: null, role: 'owner', dataDir: undefined, serialPaths: [], mdns: true, findTimeoutS: 5, verbose: false,
  });
  const p = parseCli(['pair', '10.0.0.7:8080', '--via', 'net', '--role', 'support', '--no-mdns']);
  assert.ok(p.command === 'pair' && p.via === 'net' && p.role === 'support' && !p.mdns);
  for (const argv of [['pair'], ['pair', 'a', 'b'], ['pair', 'x', '--via', 'bluetooth'], ['pair', 'x', '--role', 'root'], ['operators', 'x', '--via', 'usb'], ['unpair', 'x', '--bogus']]) {
    assert.throws(() => parseCli(argv), UsageError, argv.join(' '));
  }
});

test('requests/approve/deny arguments: a unit, and for approve/deny a 16-hex-digit request id', () => {
  assert.equal(parseCli(['requests', 'Kart 7']).command, 'requests');
  const a = parseCli(['approve', 'Kart 7', '0123456789abcdef']);
  assert.ok(a.command === 'approve' && a.unit === 'Kart 7' && a.requestId === '0123456789abcdef');
  const d = parseCli(['deny', 'Kart 7', 'fedcba9876543210']);
  assert.ok(d.command === 'deny' && d.requestId === 'fedcba9876543210');
  for (const argv of [['approve', 'x'], ['deny', 'x', 'a', 'b'], ['approve', 'x', '0123456789ABCDEF'], ['approve', 'x', '../../v1/operators'], ['requests', 'x', 'y'], ['deny', 'x', '0123456789abcdef', '--via', 'usb']]) {
    assert.throws(() => parseCli(argv), UsageError, argv.join(' '));
  }
});

test('a unit is found by id, unique id prefix, name or address; ambiguity is explained', () => {
  const a = entry('11111111-2222-4333-8444-555555555555', 'Kart 7');
  const b = { ...entry('11112222-2222-4333-8444-555555555555', 'Kart 8'), links: [{ kind: 'address' as const, target: '10.0.0.8:8080', online: true, lastSeen: 0 }] };
  const units: DeviceEntry[] = [a, b];
  const id = (q: string) => {
    const m = matchUnit(units, q);
    return 'unit' in m ? m.unit.id : m.error;
  };
  assert.equal(id(a.id), a.id);
  assert.equal(id('kart 7'), a.id);
  assert.equal(id('11112'), b.id);
  assert.equal(id('10.0.0.8:8080'), b.id);
  assert.match(id('1111'), /matches 2 units/);
  assert.match(id('nope'), /no unit "nope" found/);
});
