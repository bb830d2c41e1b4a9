import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LicensePayload } from '@pitwall/protocol';
import { judgeLicence, type JudgeFacts } from '../../../src/license/license-judge.js';
import type { ClockReading } from '../../../src/license/trusted-clock.js';

const DAY = 24 * 3600 * 1000;
const ISSUED = Date.parse('2027-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const licence: LicensePayload = {
  format: 1,
  licenseId: 'LIC-7',
  scope: { unitId: 'u1' },
  features: ['live-timing', 'sectors'],
  issued: iso(ISSUED),
  starts: iso(ISSUED),
  expires: iso(ISSUED + 90 * DAY),
  graceDays: 7,
  ttlDays: 30,
  keyId: 'a'.repeat(64),
};

const at = (ms: number): ClockReading => ({ now: iso(ms), nowMs: ms, source: 'system', tampered: false, tamperedAt: null, tamperReason: null });
const facts = (ms: number, over: Partial<JudgeFacts> = {}): JudgeFacts => ({ licence, problem: null, revoked: new Map(), revocationListNumber: 0, clock: at(ms), enforced: true, ...over });

test('no licence is none; a licence that did not verify is invalid with its reason', () => {
  assert.equal(judgeLicence(facts(ISSUED, { licence: null })).state, 'none');
  const bad = judgeLicence(facts(ISSUED, { licence: null, problem: 'signed by key abc…, which this unit does not trust' }));
  assert.equal(bad.state, 'invalid');
  assert.match(bad.reason, /does not trust/);
  assert.deepEqual(bad.features, []);
});

test('active inside its period and file TTL, with the features, the dates and the days left', () => {
  const s = judgeLicence(facts(ISSUED + DAY));
  assert.equal(s.state, 'active');
  assert.deepEqual(s.features, ['live-timing', 'sectors']);
  assert.equal(s.refreshBy, iso(ISSUED + 30 * DAY));
  assert.equal(s.graceEnds, iso(ISSUED + 37 * DAY), 'the TTL lapses first: grace runs from it');
  assert.equal(s.daysLeft, 36);
});

test('TTL lapse: grace, then expired; a renewed file (issued later) is active again', () => {
  const grace = judgeLicence(facts(ISSUED + 31 * DAY));
  assert.equal(grace.state, 'grace');
  assert.match(grace.reason, /not renewed by 2027-01-31/);
  assert.deepEqual(grace.features, ['live-timing', 'sectors'], 'features still work in grace');
  const expired = judgeLicence(facts(ISSUED + 38 * DAY));
  assert.equal(expired.state, 'expired');
  assert.deepEqual(expired.features, []);
  assert.equal(expired.daysLeft, 0);
  const renewed = judgeLicence(facts(ISSUED + 38 * DAY, { licence: { ...licence, issued: iso(ISSUED + 35 * DAY) } }));
  assert.equal(renewed.state, 'active');
});

test('past expiry: grace for its grace days, then expired', () => {
  const long = { ...licence, ttlDays: 400 };
  assert.equal(judgeLicence(facts(ISSUED + 89 * DAY, { licence: long })).state, 'active');
  const grace = judgeLicence(facts(ISSUED + 91 * DAY, { licence: long }));
  assert.equal(grace.state, 'grace');
  assert.match(grace.reason, /expired on 2027-04-01/);
  assert.equal(judgeLicence(facts(ISSUED + 97 * DAY + 1, { licence: long })).state, 'expired');
});

test('revoked when on the held list, whatever the dates', () => {
  const s = judgeLicence(facts(ISSUED + DAY, { revoked: new Map([['LIC-7', 'refunded']]), revocationListNumber: 4 }));
  assert.equal(s.state, 'revoked');
  assert.match(s.reason, /list 4: refunded/);
  assert.deepEqual(s.features, []);
  assert.equal(s.revocationListNumber, 4);
});

test('not in force before it starts', () => {
  const s = judgeLicence(facts(ISSUED + DAY, { licence: { ...licence, starts: iso(ISSUED + 10 * DAY) } }));
  assert.equal(s.state, 'invalid');
  assert.match(s.reason, /not in force before 2027-01-11/);
});
