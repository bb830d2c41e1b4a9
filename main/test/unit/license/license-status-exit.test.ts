import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LicenseStatus, UnitLicenseView } from '@pitwall/protocol';
import { LICENSE_ATTENTION_EXIT, licenceTrouble } from '../../../src/license-fleet-commands.js';

const view = (unitId: string, state: LicenseStatus['state'] | null): UnitLicenseView => ({
  unitId,
  seenAt: state ? 1 : null,
  status: state
    ? ({ state, reason: `licence ${state}`, licenseId: state === 'none' ? null : 'lic', features: [], licensedFeatures: [], starts: null, expires: null, graceEnds: null, refreshBy: null, daysLeft: 0, revocationListNumber: 0, clock: { now: '2027-01-01T00:00:00Z', source: 'system', tampered: false, tamperedAt: null }, checkedAt: '2027-01-01T00:00:00Z', enforced: true } satisfies LicenseStatus)
    : null,
});
const names = new Map([['a', 'Car 1'], ['b', 'Car 2'], ['c', 'Car 3'], ['d', 'Car 4']]);

test('license status: expired, revoked or invalid units make a one-line summary (the command exits with its own code)', () => {
  assert.equal(licenceTrouble([view('a', 'active'), view('b', 'grace'), view('c', 'none'), view('d', null)], names), null, 'grace, none and never heard are not trouble');
  assert.equal(licenceTrouble([view('a', 'revoked'), view('b', 'active'), view('c', 'expired'), view('d', 'invalid')], names), '3 units have a licence that stopped: Car 1 revoked, Car 3 expired, Car 4 invalid');
  assert.equal(licenceTrouble([view('zz', 'expired')], names), '1 unit has a licence that stopped: zz expired', 'an unnamed unit by its id');
  assert.equal(LICENSE_ATTENTION_EXIT, 4, 'as documented; not 1 (an error), 2 (usage) or 3 (unit not found)');
});
