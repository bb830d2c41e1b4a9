import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LICENSE_FEATURES, routeName, Routes, type RouteKey } from '@pitwall/protocol';

// Recording, logging, health, update, recovery, the licence itself, status and pairing never stop
// for a licence reason: a unit that cannot be updated cannot be fixed.
const NEVER_GATED: RouteKey[] = [
  'info', 'status', 'pairingWindow', 'pair', 'ownerRequests', 'approveOwnerRequest', 'denyOwnerRequest', 'operators', 'revokeOperator', 'audit', 'challenge',
  'health', 'crashes', 'crash', 'confirmCrashes', 'logBoots', 'logs', 'confirmLogs',
  'sessions', 'startSession', 'stopSession', 'sessionFile', 'confirmSession', 'deleteSession',
  'update', 'pushUpdate', 'recovery', 'recoveryRollback', 'recoveryInstall', 'factoryReset',
  'license', 'licenseInstall', 'licenseRevocations', 'supportStatus', 'supportOff',
];

test('the routes that must never stop for a licence reason name no feature', () => {
  for (const key of NEVER_GATED) assert.equal(Routes[key].feature, undefined, `${routeName(Routes[key])} must not be gated`);
});

test('the gated routes: live timing and turning support on, each with a known feature', () => {
  const gated = Object.entries(Routes).filter(([, r]) => r.feature !== undefined).map(([k, r]) => [k, r.feature]);
  assert.deepEqual(Object.fromEntries(gated), { live: 'live-timing', supportOn: 'support-mode' });
  for (const [, f] of gated) assert.ok((LICENSE_FEATURES as readonly (string | undefined)[]).includes(f));
});
