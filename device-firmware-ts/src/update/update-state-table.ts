import type { BootRecord, UpdateStateName } from '@pitwall/protocol/update';

/**
 * The update as a declared state machine: every move it may make, who makes it, and how often a
 * state may be entered during one update. Nothing moves the update's state except `enterState`,
 * which checks this table, so the table is the whole story.
 *
 * Owners keep the record single-writer: the runtime's update agent owns the way up to the
 * reboot, the launcher (pitwall-boot) owns the trial and its outcome. Each runs only while the
 * other cannot be writing (the runtime is not started while the launcher picks a slot; during
 * a trial the agent refuses to start an update).
 */
export interface StateRule {
  readonly next: readonly UpdateStateName[];
  readonly owner: 'agent' | 'launcher' | 'either';
  /** Entries of this state within one update before it counts as a loop (then: failed). */
  readonly maxEntries: number;
  readonly terminal?: boolean;
}

const AGAIN = ['downloading'] as const;

export const UPDATE_STATES: Readonly<Record<UpdateStateName, StateRule>> = {
  idle: { next: AGAIN, owner: 'agent', maxEntries: 1, terminal: true },
  downloading: { next: ['verifying', 'failed'], owner: 'agent', maxEntries: 1 },
  verifying: { next: ['installing', 'failed'], owner: 'agent', maxEntries: 1 },
  installing: { next: ['rebooting', 'failed'], owner: 'agent', maxEntries: 1 },
  // The agent records the target and asks for a reboot; the launcher starts the trial (or
  // finds the target incomplete and rolls back).
  rebooting: { next: ['trying', 'rolled-back', 'failed'], owner: 'either', maxEntries: 1 },
  // Re-entered on every trial boot: the boot attempts (default 3) bound it first; the limit
  // here catches a launcher that loses count.
  trying: { next: ['trying', 'committed', 'rolled-back', 'failed'], owner: 'launcher', maxEntries: 10 },
  committed: { next: AGAIN, owner: 'launcher', maxEntries: 1, terminal: true },
  'rolled-back': { next: AGAIN, owner: 'launcher', maxEntries: 1, terminal: true },
  failed: { next: AGAIN, owner: 'either', maxEntries: 2, terminal: true },
};

/** States in which the update agent was working when it was cut off (power, crash): the update failed and can be retried. */
export const AGENT_WORKING: readonly UpdateStateName[] = ['downloading', 'verifying', 'installing'];

export class TransitionError extends Error {
  readonly code = 'bad-transition';
}

export const isTerminal = (s: UpdateStateName): boolean => UPDATE_STATES[s].terminal === true;

export interface EnterOptions {
  now?: Date;
  lastError?: string | null;
  target?: BootRecord['update']['target'];
  version?: string | null;
}

/**
 * Moves `record` into `next` (a new object; the caller persists it before doing the state's
 * work). A move the table does not allow throws TransitionError; a state entered more often than
 * its limit moves to failed instead, naming the loop.
 */
export function enterState(record: BootRecord, next: UpdateStateName, o: EnterOptions = {}): BootRecord {
  const from = record.update.state;
  if (!UPDATE_STATES[from].next.includes(next)) {
    throw new TransitionError(`the update cannot go from ${from} to ${next}`);
  }
  const now = (o.now ?? new Date()).toISOString();
  // A new update (from a terminal state) starts its counts and its history afresh.
  const fresh = isTerminal(from);
  const entries = fresh ? {} : { ...record.update.entries };
  const count = (entries[next] ?? 0) + 1;
  const base = {
    ...record.update,
    target: o.target !== undefined ? o.target : record.update.target,
    version: o.version !== undefined ? o.version : record.update.version,
    bootFailures: fresh ? [] : record.update.bootFailures,
    progress: 0,
    changedAt: now,
  };
  if (count > UPDATE_STATES[next].maxEntries) {
    entries.failed = (entries.failed ?? 0) + 1;
    const lastError = `update loop: ${next} entered ${count} times (limit ${UPDATE_STATES[next].maxEntries})`;
    return { ...record, update: { ...base, state: 'failed', entries, lastError } };
  }
  entries[next] = count;
  const lastError = o.lastError !== undefined ? o.lastError : fresh ? null : record.update.lastError;
  return { ...record, update: { ...base, state: next, entries, lastError: lastError?.slice(0, 500) ?? null } };
}
