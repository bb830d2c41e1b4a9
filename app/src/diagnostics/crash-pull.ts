import { mkdir } from 'node:fs/promises';
import type { SyncPhase, UnitSyncResult } from '@pitwall/protocol';
import { ensureRoom, mb, type DiskReserve } from '../store/disk-space.js';
import type { DiagnosticsStore } from './diagnostics-store.js';
import { redactValue } from './redact.js';
import type { DiagnosticsSource } from './unit-source.js';

/**
 * What one unit may put in the companion's store in crash dumps. A unit that crashes in a loop,
 * or lies, stops there: the dumps past a limit stay on the unit, unconfirmed, for a later pull
 * (per pull) or for the user to clear (per unit).
 */
export const CRASH_LIMITS = {
  /** A dump larger than this (listed or sent) is not fetched. */
  dumpBytes: 8 * 1024 * 1024,
  /** Dumps fetched by one pull. */
  perPull: 16,
  /** Dumps, and their bytes, stored per unit. */
  perUnit: 200,
  perUnitBytes: 256 * 1024 * 1024,
} as const;

export interface HealthAndCrashOptions {
  progress: (phase: SyncPhase, done: number, total: number) => void;
  /** The folder whose disk holds the store, and the free space to keep on it. */
  dir: string;
  disk?: DiskReserve;
  note?: (message: string) => void;
  limits?: Partial<typeof CRASH_LIMITS>;
}

/**
 * Health since the newest stored snapshot, then the crash dumps not stored yet, within the
 * limits; the disk reserve is checked before each write. Only dumps that are stored are
 * confirmed to the unit.
 */
export async function pullHealthAndCrashes(store: DiagnosticsStore, source: DiagnosticsSource, unitId: string, result: UnitSyncResult, o: HealthAndCrashOptions): Promise<void> {
  const limits = { ...CRASH_LIMITS, ...o.limits };
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const since = store.health.latestTime(unitId);
  o.progress('health', 0, 1);
  const snapshots = (await source.health(since)).filter((s) => s.unit === unitId).map((s) => redactValue(s) as typeof s);
  await ensureRoom(o.dir, JSON.stringify(snapshots).length, `${snapshots.length} health snapshots`, o.disk);
  result.health = store.health.add(unitId, snapshots);
  o.progress('health', 1, 1);

  const list = await source.crashes();
  o.progress('crashes', 0, list.length);
  const stored: string[] = [];
  const used = store.crashes.usage(unitId);
  let fetched = 0;
  const left = { tooBig: 0, perPull: 0, perUnit: 0 };
  let i = 0;
  for (const c of list) {
    if (store.crashes.has(unitId, c.id)) {
      if (!c.confirmed) stored.push(c.id);
    } else if (c.sizeB > limits.dumpBytes) left.tooBig++;
    else if (fetched >= limits.perPull) left.perPull++;
    else if (used.count >= limits.perUnit || used.bytes + c.sizeB > limits.perUnitBytes) left.perUnit++;
    else {
      fetched++;
      const dump = await source.crash(c.id, limits.dumpBytes);
      if (dump.unit !== unitId || dump.id !== c.id) throw new Error(`the unit answered crash ${c.id} with a dump of another unit or crash`);
      const json = JSON.stringify(redactValue(dump));
      await ensureRoom(o.dir, json.length, `crash dump ${c.id}`, o.disk);
      if (store.crashes.add(unitId, JSON.parse(json) as typeof dump)) result.crashes++;
      used.count++;
      used.bytes += json.length;
      stored.push(c.id);
    }
    o.progress('crashes', ++i, list.length);
  }
  if (left.tooBig) o.note?.(`${left.tooBig} crash dump(s) larger than ${mb(limits.dumpBytes)} MB left on the unit`);
  if (left.perPull) o.note?.(`${left.perPull} more crash dump(s) left on the unit for the next pull (at most ${limits.perPull} per pull)`);
  if (left.perUnit) o.note?.(`${left.perUnit} crash dump(s) left on the unit: this companion keeps at most ${limits.perUnit} (${mb(limits.perUnitBytes)} MB) per unit`);
  // Told only after the dumps are committed: the unit may drop them now.
  for (let k = 0; k < stored.length; k += 1000) await source.confirmCrashes(stored.slice(k, k + 1000));
  store.crashes.markConfirmed(unitId, stored);
}
