// The companion carries the revocation list it holds to a paired unit as soon as the unit comes
// online, without being asked: the unit then reports the list's number and the licence revoked.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EventName, EventPayload, UnitLicenseView } from '@pitwall/protocol';
import { createCompanion, type Companion } from '../../../src/companion.js';
import { RevocationHolder } from '../../../src/license/revocation-holder.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { writeSyntheticNmea } from '../../helpers/synthetic-nmea.js';
import { licensePayloadFor, revocationListFor, writeLicenseFile, writeRevocationFile } from '../../helpers/license-files.js';
import { pairOverUsb, scratchDir, waitFor } from '../../helpers/units.js';

const scratch = scratchDir('carry-revocations');
let unit: SimUnit | null = null;
let companion: Companion | null = null;
after(async () => {
  await companion?.close();
  await unit?.stop();
  scratch.cleanup();
});

test('a unit that comes online is given the newer list the companion holds, and its licence shows revoked', { timeout: 120_000 }, async () => {
  const vendor = await testVendorKey(join(scratch.dir, 'vendor'));
  const dataDir = join(scratch.dir, 'companion');
  mkdirSync(join(dataDir, 'vendor-keys'), { recursive: true });
  for (const f of readdirSync(vendor.keysDir)) copyFileSync(join(vendor.keysDir, f), join(dataDir, 'vendor-keys', f));
  const recording = writeSyntheticNmea(join(scratch.dir, 'car.nmea'), 600);
  unit = await startSimUnit({ dataDir: join(scratch.dir, 'unit'), name: 'Car 9', recording, vendorKeysDir: vendor.keysDir });
  const start = (events: (name: EventName, payload: unknown) => void = () => undefined) =>
    createCompanion({ dataDir, mdns: false, hotplug: false, serialPaths: [unit!.ready.serialPath], pollIntervalMs: 200, events: events as never });

  companion = start();
  await pairOverUsb(companion, unit, 'owner');
  const file = await writeLicenseFile(scratch.dir, 'lic.json', vendor.key, licensePayloadFor(vendor.key, { licenseId: 'car-9', scope: { unitId: unit.ready.id } }));
  const [installed] = await companion.handlers['license:install']({ path: file, unitIds: [unit.ready.id] });
  assert.equal(installed?.status?.state, 'active', installed?.error ?? '');
  assert.equal(installed?.status?.revocationListNumber, 0);
  await companion.close();

  // Meanwhile the dealer's laptop takes the vendor's list #4, revoking car-9 (no unit in reach).
  const list = await writeRevocationFile(scratch.dir, 'rl-4.json', vendor.key, revocationListFor(vendor.key, 4, ['car-9']));
  await RevocationHolder.open(join(dataDir, 'license'), join(dataDir, 'vendor-keys')).importFile(list);

  // The next start finds the unit online: nothing else is asked of it.
  const seen: UnitLicenseView[] = [];
  companion = start((name, payload) => {
    if (name === 'license:changed') seen.push(...(payload as EventPayload<'license:changed'>));
  });
  await companion.refresh();
  const revoked = await waitFor('the unit to report list 4', () => seen.find((v) => v.status?.revocationListNumber === 4), 30_000);
  assert.equal(revoked.status?.state, 'revoked');
  assert.match(revoked.status?.reason ?? '', /revoked/);
  const fleet = await companion.handlers['license:fleet']({});
  assert.equal(fleet.find((v) => v.unitId === unit!.ready.id)?.status?.revocationListNumber, 4);
});
