import { Routes, type UpdateStatus } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';

/** One unit's update as last heard, and why it is not heard now (rebooting units go quiet). */
export interface UnitUpdateState {
  unitId: string;
  status: UpdateStatus | null;
  /** The last failure to ask (null when the last ask was answered). */
  unreachable: string | null;
  /** Committed, rolled back or failed: nothing more will change without a new push. */
  done: boolean;
}

export const ENDED: ReadonlySet<string> = new Set(['committed', 'rolled-back', 'failed', 'idle']);

/** GET /v1/update of one paired unit, as a state (never throws). */
export async function askUpdate(channels: UnitChannels, unitId: string): Promise<UnitUpdateState> {
  try {
    const status = await channels.callRoute(unitId, Routes.update, {}, { timeoutMs: 5000 });
    return { unitId, status, unreachable: null, done: ENDED.has(status.operation) };
  } catch (err) {
    return { unitId, status: null, unreachable: (err as Error).message, done: false };
  }
}

export interface WatchOptions {
  channels: UnitChannels;
  unitIds: string[];
  onState?: (states: UnitUpdateState[]) => void;
  pollMs?: number;
  /** Give up on units still rebooting or on trial after this long (default 10 min). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Follows units after a push: rebooting → trying → committed, or rolled back (with why), by
 * polling GET /v1/update. A unit that does not answer while it reboots is asked again; the
 * last answer is kept meanwhile.
 */
export async function watchUpdates(o: WatchOptions): Promise<UnitUpdateState[]> {
  const states = new Map<string, UnitUpdateState>(o.unitIds.map((id) => [id, { unitId: id, status: null, unreachable: null, done: false }]));
  const until = Date.now() + (o.timeoutMs ?? 600_000);
  for (;;) {
    const open = [...states.values()].filter((s) => !s.done);
    const answers = await Promise.all(open.map((s) => askUpdate(o.channels, s.unitId)));
    for (const a of answers) {
      const prev = states.get(a.unitId)!;
      states.set(a.unitId, a.status ? a : { ...prev, unreachable: a.unreachable });
    }
    const list = o.unitIds.map((id) => states.get(id)!);
    o.onState?.(list);
    if (list.every((s) => s.done) || Date.now() > until || o.signal?.aborted) return list;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
}
