import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BootRecord, UpdateStateName } from '@pitwall/protocol';
import { chooseBoot, noteBootFailure } from '../../../src/update/boot-chooser.js';
import { initialRecord } from '../../../src/update/boot-record-store.js';
import { enterState, TransitionError, UPDATE_STATES } from '../../../src/update/update-state-table.js';

const both = () => true;

/** A: good 1.0.0; B: 2.0.0 installed by an update now `rebooting`, 3 attempts. */
function afterInstall(): BootRecord {
  let r = initialRecord('A');
  r.slots.A = { version: '1.0.0', status: 'good' };
  for (const s of ['downloading', 'verifying', 'installing', 'rebooting'] as const) r = enterState(r, s, { target: 'B', version: '2.0.0' });
  return { ...r, tried: 'B', attemptsLeft: 3, slots: { ...r.slots, B: { version: '2.0.0', status: 'installed' } } };
}

test('the transition table allows only its moves; a new update starts from a terminal state with its counts reset', () => {
  const r = initialRecord('A');
  assert.throws(() => enterState(r, 'installing'), TransitionError);
  assert.throws(() => enterState(afterInstall(), 'downloading'), /cannot go from rebooting to downloading/);
  for (const [from, rule] of Object.entries(UPDATE_STATES)) {
    for (const to of rule.next) assert.ok(to in UPDATE_STATES, `${from} -> ${to} names a state`);
  }
  const failed = enterState(enterState(r, 'downloading'), 'failed', { lastError: 'x' });
  const again = enterState(failed, 'downloading');
  assert.deepEqual(again.update.entries, { downloading: 1 });
  assert.equal(again.update.lastError, null);
});

test('a state entered more often than its limit is a loop: the update fails, naming it', () => {
  let r = { ...afterInstall() };
  r = enterState(r, 'trying');
  const limit = UPDATE_STATES.trying.maxEntries;
  for (let i = 1; i < limit; i++) r = enterState(r, 'trying');
  assert.equal(r.update.state, 'trying');
  const looped = enterState(r, 'trying');
  assert.equal(looped.update.state, 'failed');
  assert.match(looped.update.lastError ?? '', /update loop: trying entered 11 times \(limit 10\)/);
});

test('the chooser spends an attempt before each trial boot and rolls back, with the last failure as why, when they run out', () => {
  let r = afterInstall();
  const seen: number[] = [];
  for (let boot = 0; boot < 3; boot++) {
    const c = chooseBoot(r, both);
    assert.equal(c.slot, 'B');
    assert.equal(c.trial, true);
    assert.equal(c.record.update.state, 'trying');
    assert.equal(c.record.slots.B.status, 'trying');
    seen.push(c.record.attemptsLeft);
    r = noteBootFailure(c.record, `exited with code 1 (boot ${boot + 1})`);
  }
  assert.deepEqual(seen, [2, 1, 0]);
  const back = chooseBoot(r, both);
  assert.equal(back.slot, 'A');
  assert.equal(back.trial, false);
  assert.equal(back.record.update.state, 'rolled-back');
  assert.equal(back.record.tried, null);
  assert.equal(back.record.slots.B.status, 'bad');
  assert.match(back.record.update.lastError ?? '', /slot B did not pass its health gate \(last boot: exited with code 1 \(boot 3\)\)/);
  // Booting on from there: A, no trial, nothing changes.
  const later = chooseBoot(back.record, both);
  assert.equal(later.slot, 'A');
  assert.equal(later.record.update.state, 'rolled-back');
});

test('a target without slot.json is never booted: rolled back at once', () => {
  const c = chooseBoot(afterInstall(), (s) => s === 'A');
  assert.equal(c.slot, 'A');
  assert.equal(c.record.update.state, 'rolled-back');
  assert.match(c.record.update.lastError ?? '', /slot B is incomplete/);
});

test('an update cut off while the agent worked is failed and retryable; the booted slot stays', () => {
  for (const state of ['downloading', 'verifying', 'installing'] as UpdateStateName[]) {
    let r = initialRecord('A');
    for (const s of ['downloading', 'verifying', 'installing'] as const) {
      r = enterState(r, s, { target: 'B' });
      if (s === state) break;
    }
    const c = chooseBoot({ ...r, slots: { ...r.slots, B: { version: null, status: 'installing' } } }, both);
    assert.equal(c.slot, 'A');
    assert.equal(c.trial, false);
    assert.equal(c.record.update.state, 'failed');
    assert.match(c.record.update.lastError ?? '', new RegExp(`interrupted while ${state}`));
    assert.equal(c.record.slots.B.status, 'empty');
    assert.equal(enterState(c.record, 'downloading').update.state, 'downloading', 'a new attempt may start');
  }
});

test('an update cut off before its install (downloading, verifying) leaves the target slot\'s recorded state: its files were not touched', () => {
  for (const state of ['downloading', 'verifying'] as const) {
    let r: BootRecord = { ...initialRecord('A'), slots: { A: { version: '1.0.0', status: 'good' }, B: { version: '0.9.0', status: 'installed' } } };
    r = enterState(r, 'downloading', { target: 'B' });
    if (state === 'verifying') r = enterState(r, 'verifying');
    const c = chooseBoot(r, both);
    assert.equal(c.record.update.state, 'failed');
    assert.deepEqual(c.record.slots.B, { version: '0.9.0', status: 'installed' }, state);
  }
});

test('an active slot that is incomplete falls over to the other; with neither there is nothing to boot', () => {
  const r = initialRecord('A');
  assert.equal(chooseBoot(r, (s) => s === 'B').slot, 'B');
  assert.equal(chooseBoot(r, () => false).slot, null);
});
