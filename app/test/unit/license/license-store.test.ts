// Each unit's latest reported licence in SQLite: a late answer never replaces a newer one, a row
// this version cannot read shows as never heard, and forgetting the unit forgets its licence.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LicenseStatus } from '@pitwall/protocol';
import { LicenseStore } from '../../../src/license/license-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { DeviceRepo } from '../../../src/store/device-repo.js';
import { storeWriter } from '../../../src/store/store-writer.js';
import { scratchDir } from '../../helpers/units.js';

const scratch = scratchDir('licence-store');
after(() => scratch.cleanup());

const UNIT = '6f1c2b4e-8d3a-4c5b-9e7f-0a1b2c3d4e5f';
const status = (state: LicenseStatus['state'], daysLeft: number | null): LicenseStatus => ({
  state,
  reason: `licence ${state}`,
  licenseId: 'lic-1',
  features: state === 'active' ? ['live-timing'] : [],
  licensedFeatures: ['live-timing'],
  starts: '2026-01-01T00:00:00Z',
  expires: '2027-01-01T00:00:00Z',
  graceEnds: '2027-01-15T00:00:00Z',
  refreshBy: '2027-01-01T00:00:00Z',
  daysLeft,
  revocationListNumber: 0,
  clock: { now: '2026-12-01T00:00:00Z', source: 'system', tampered: false, tamperedAt: null },
  checkedAt: '2026-12-01T00:00:00Z',
  enforced: true,
});

test('the latest answer is kept across a restart; an older one arriving late changes nothing; forgetting the unit forgets it', () => {
  const file = join(scratch.dir, 'db');
  let db = openDatabase(file);
  const repo = new DeviceRepo(db);
  repo.recordSighting({ id: UNIT, name: 'Car 1', model: 'PW-1', firmware: '0.1.0', commit: null, lastSeen: 1 }, null);
  let store = new LicenseStore(db);
  assert.deepEqual(store.get(UNIT), { unitId: UNIT, status: null, seenAt: null });
  store.save(UNIT, status('active', 30), 2000);
  store.save(UNIT, status('expired', 0), 1000);
  assert.equal(store.get(UNIT).status?.state, 'active');
  db.close();

  db = openDatabase(file);
  store = new LicenseStore(db);
  assert.deepEqual(store.all().map((v) => [v.unitId, v.status?.state, v.seenAt]), [[UNIT, 'active', 2000]]);
  // A row written before statuses said whether the unit enforces still reads.
  const { enforced: _dropped, ...older } = status('grace', 3);
  storeWriter(db).run('licenses.save', UNIT, JSON.stringify(older), 2500);
  assert.deepEqual([store.get(UNIT).status?.state, store.get(UNIT).status?.enforced], ['grace', undefined]);
  // A row another version wrote in a shape this one does not know reads as never heard.
  storeWriter(db).run('licenses.save', UNIT, JSON.stringify({ state: 'teleported' }), 3000);
  assert.deepEqual(store.get(UNIT), { unitId: UNIT, status: null, seenAt: null });
  new DeviceRepo(db).forgetUnit(UNIT);
  assert.deepEqual(store.all(), []);
  db.close();
});
