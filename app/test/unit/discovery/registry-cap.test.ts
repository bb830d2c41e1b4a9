import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceRegistry, MAX_ADVERTISED_UNITS, type UnitIdentity } from '../../../src/discovery/device-registry.js';

/** Oversized input: a flood of mDNS adverts with fresh ids keeps the device list (and its store) bounded. */
const advert = (i: number): UnitIdentity => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Fake ${i}`, model: 'PW-1', firmware: '0.4.0', commit: null, fingerprint: null });

test('10,000 adverts with fresh ids: at most MAX_ADVERTISED_UNITS listed; paired and address-added units always kept; the oldest offline ones make room', () => {
  const ignored: string[] = [];
  const registry = new DeviceRegistry(null, { debug: (m) => ignored.push(m) });
  const paired = advert(999_999);
  registry.setPin(paired.id, { unitId: paired.id, fingerprint: 'SHA256:x', certificate: '', role: 'owner', via: 'usb', pairedAt: 0 });
  const byAddress = advert(888_888);
  registry.linkUp(byAddress, 'address', '10.0.0.9:8443');
  for (let i = 0; i < 10_000; i++) registry.linkUp(advert(i), 'mdns', `10.1.${i >> 8}.${i & 255}:8443`, 1_000 + i);
  registry.linkUp(paired, 'mdns', '10.0.0.7:8443');
  const ids = new Set(registry.list().map((e) => e.id));
  assert.equal(ids.size, MAX_ADVERTISED_UNITS + 2);
  assert.ok(ids.has(paired.id) && ids.has(byAddress.id), 'paired and address-added units are not advertised-only');
  assert.ok(ignored.length > 0, 'ignored adverts are said so in the debug log');
  // The flood's units go offline: new adverts replace the oldest of them.
  for (let i = 0; i < MAX_ADVERTISED_UNITS; i++) registry.linkDown('mdns', `10.1.${i >> 8}.${i & 255}:8443`);
  registry.linkUp(advert(20_000), 'mdns', '10.2.0.1:8443', 50_000);
  const after = new Set(registry.list().map((e) => e.id));
  assert.ok(after.has(advert(20_000).id), 'a new unit gets in once older ones are offline');
  assert.ok(!after.has(advert(0).id), 'the oldest offline advert made room');
  assert.equal(after.size, MAX_ADVERTISED_UNITS + 2);
  registry.close();
});
