import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LicenseStatus } from '@pitwall/protocol';
import { featureGate, stateLook, urgency } from '../../../src/license/license-gates.js';

const status = (o: Partial<LicenseStatus>): LicenseStatus => ({
  state: 'active',
  reason: '',
  licenseId: 'l',
  features: [],
  licensedFeatures: [],
  starts: null,
  expires: null,
  graceEnds: null,
  refreshBy: null,
  daysLeft: 100,
  revocationListNumber: 0,
  clock: { now: '2027-01-01T00:00:00Z', source: 'system', tampered: false, tamperedAt: null },
  checkedAt: '2027-01-01T00:00:00Z',
  enforced: true,
  ...o,
});

test('a control is offered only while its feature is in force, else greyed with the reason the unit would give', () => {
  assert.deepEqual(featureGate(status({ features: ['live-timing'], licensedFeatures: ['live-timing'] }), 'live-timing'), { allowed: true, why: null });
  assert.deepEqual(featureGate(status({ features: ['sectors'], licensedFeatures: ['sectors'] }), 'live-timing'), { allowed: false, why: 'licence does not include live-timing' });
  assert.deepEqual(featureGate(status({ state: 'expired', licensedFeatures: ['live-timing'], daysLeft: 0 }), 'live-timing'), { allowed: false, why: 'licence expired: live-timing is off' });
  assert.deepEqual(featureGate(status({ state: 'grace', features: ['imu'], licensedFeatures: ['imu'] }), 'imu'), { allowed: true, why: null }, 'grace keeps features');
  assert.deepEqual(featureGate(null, 'live-timing'), { allowed: true, why: null }, 'never heard: the unit decides');
});

test('no licence on a unit that enforces: every gated control greyed; a unit that does not enforce (a sim) gates nothing', () => {
  const none = { state: 'none' as const, licenseId: null, daysLeft: null };
  assert.deepEqual(featureGate(status(none), 'support-mode'), { allowed: false, why: 'no licence installed: the unit refuses support-mode' });
  assert.deepEqual(featureGate(status(none), 'live-timing'), { allowed: false, why: 'no licence installed: the unit refuses live-timing' });
  assert.deepEqual(featureGate(status({ ...none, enforced: false }), 'live-timing'), { allowed: true, why: null });
  assert.deepEqual(featureGate(status({ state: 'expired', licensedFeatures: ['live-timing'], daysLeft: 0, enforced: false }), 'live-timing'), { allowed: true, why: null }, 'judged expired, not enforced');
  assert.deepEqual(stateLook(status({ ...none, enforced: false })), { label: 'licensing not enforced (simulator)', tone: 'muted' });
  assert.deepEqual(stateLook(status(none)), { label: 'no licence', tone: 'warn' }, 'an enforcing unit without a licence has its features off');
  // Firmware from before `enforced`: not known, so as before the unit decides (its licence's own features still gate).
  const { enforced: _dropped, ...older } = status(none);
  assert.deepEqual(featureGate(older, 'live-timing'), { allowed: true, why: null });
  assert.deepEqual(stateLook(older), { label: 'no licence', tone: 'muted' });
  assert.deepEqual(featureGate({ ...status({ state: 'expired', licensedFeatures: ['live-timing'], daysLeft: 0 }), enforced: undefined }, 'live-timing'), { allowed: false, why: 'licence expired: live-timing is off' });
});

test('fleet order: revoked, invalid, expired, grace, no licence, then active by days left; never heard last', () => {
  const list = [
    status({ daysLeft: 200 }),
    null,
    status({ state: 'grace', daysLeft: 5 }),
    status({ daysLeft: 12 }),
    status({ state: 'revoked', daysLeft: 0 }),
    status({ state: 'none', daysLeft: null }),
    status({ state: 'invalid', daysLeft: 0 }),
    status({ state: 'expired', daysLeft: 0 }),
  ];
  const order = [...list].sort((a, b) => urgency(a) - urgency(b)).map((s) => (s ? `${s.state}${s.state === 'active' ? s.daysLeft : ''}` : 'unknown'));
  assert.deepEqual(order, ['revoked', 'invalid', 'expired', 'grace', 'none', 'active12', 'active200', 'unknown']);
  assert.equal(stateLook(status({ daysLeft: 12 })).tone, 'warn', 'active but expiring within 30 days');
  assert.equal(stateLook(status({ daysLeft: 31 })).tone, 'ok');
  assert.equal(stateLook(status({ state: 'revoked' })).tone, 'bad');
});
