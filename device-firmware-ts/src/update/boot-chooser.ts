import type { BootRecord, SlotName } from '@pitwall/protocol/update';
import { otherSlot } from './slot-layout.js';
import { AGENT_WORKING, enterState } from './update-state-table.js';

export interface BootChoice {
  /** The slot to start now; null when neither slot holds a complete runtime. */
  slot: SlotName | null;
  /** True when `slot` is on trial (its health gate decides the commit). */
  trial: boolean;
  /** The record to persist BEFORE the slot is started (the attempt is counted first). */
  record: BootRecord;
  /** What was decided and why, for the launcher's log. */
  notes: string[];
}

const MAX_FAILURES_KEPT = 8;

/** Appends a trial boot's outcome to the record's history (the latest last, a few kept). */
export function noteBootFailure(record: BootRecord, why: string): BootRecord {
  const bootFailures = [...record.update.bootFailures, why.slice(0, 300)].slice(-MAX_FAILURES_KEPT);
  return { ...record, update: { ...record.update, bootFailures } };
}

function rollBack(record: BootRecord, why: string, now: Date): BootRecord {
  const tried = record.tried;
  const slots = { ...record.slots };
  if (tried) slots[tried] = { ...slots[tried], status: 'bad' };
  const back = record.lastGood ?? (tried ? otherSlot(tried) : record.active);
  const moved = record.update.state === 'rebooting' || record.update.state === 'trying' ? enterState(record, 'rolled-back', { now, lastError: why }) : record;
  return { ...moved, slots, tried: null, attemptsLeft: 0, active: back };
}

/**
 * The bootloader's decision, as RAUC's boot chooser makes it: a slot on trial is booted while it
 * has attempts left, and each boot spends one before the slot starts (a boot that never comes
 * back has still counted). Out of attempts, or the slot incomplete, it rolls back to the last
 * good slot. An update the agent was in the middle of (a power cut) is marked failed, to be
 * retried. `complete(slot)` says whether a slot holds a whole install (its slot.json).
 */
export function chooseBoot(input: BootRecord, complete: (s: SlotName) => boolean, now = new Date()): BootChoice {
  let record = structuredClone(input);
  const notes: string[] = [];
  const { state } = record.update;

  if (AGENT_WORKING.includes(state)) {
    const why = `interrupted while ${state} (restart or power cut); the update can be retried`;
    const target = record.update.target;
    record = enterState(record, 'failed', { now, lastError: why });
    // Whatever a cut install left in the target is not bootable; its status says so. Cut before
    // the install (downloading, verifying), the slot's files are untouched and so is its status.
    if (target && target !== record.active && record.slots[target].status === 'installing') record.slots[target] = { version: null, status: 'empty' };
    notes.push(why);
  }

  const tried = record.tried;
  if (tried && (record.update.state === 'rebooting' || record.update.state === 'trying')) {
    const failures = record.update.bootFailures;
    if (!complete(tried)) {
      record = rollBack(record, `rolled back: slot ${tried} is incomplete (no slot.json)`, now);
      notes.push(record.update.lastError ?? '');
    } else if (record.attemptsLeft > 0) {
      record = enterState(record, 'trying', { now });
      if (record.update.state === 'failed') {
        notes.push(record.update.lastError ?? 'loop');
        record = rollBack(record, record.update.lastError ?? 'loop', now);
      } else {
        record.attemptsLeft -= 1;
        record.slots[tried] = { ...record.slots[tried], status: 'trying' };
        notes.push(`trying slot ${tried} (${record.slots[tried].version ?? '?'}), ${record.attemptsLeft} attempt(s) left after this one`);
        return { slot: tried, trial: true, record, notes };
      }
    } else {
      const last = failures.at(-1);
      const why = `rolled back: slot ${tried} did not pass its health gate${last ? ` (last boot: ${last})` : ''}`;
      record = rollBack(record, why, now);
      notes.push(why);
    }
  } else if (tried) {
    // A trial the update no longer stands behind (failed by loop detection): drop it.
    notes.push(`slot ${tried} was on trial but the update is ${record.update.state}; booting the last good slot`);
    record = rollBack(record, record.update.lastError ?? 'trial abandoned', now);
  }

  let slot: SlotName | null = record.active;
  if (!complete(slot)) {
    const other = otherSlot(slot);
    notes.push(`slot ${slot} holds no complete runtime; ${complete(other) ? `booting slot ${other}` : 'neither does the other slot'}`);
    slot = complete(other) ? other : null;
    if (slot) record.active = slot;
  }
  return { slot, trial: false, record, notes };
}
