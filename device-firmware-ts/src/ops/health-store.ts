import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { healthSnapshot, type HealthSnapshot } from '@pitwall/protocol';
import { appendJsonl, readJsonl, rewriteJsonl } from './jsonl-file.js';

export const DEFAULT_HEALTH_RETENTION_S = 7 * 24 * 3600;
const MAX_SNAPSHOTS = 20_000;
const PRUNE_EVERY = 60;

export interface HealthStore {
  append(s: HealthSnapshot): Promise<void>;
  /** Snapshots with time >= since (all when null), oldest first. */
  since(since: Date | null, limit?: number): Promise<HealthSnapshot[]>;
}

/**
 * DATA_DIR/health/health.jsonl: append-only with fsync (a torn last line is skipped on read),
 * pruned to the retention window by an atomic rewrite at boot and every PRUNE_EVERY appends.
 */
export async function openHealthStore(dataDir: string, retentionS = DEFAULT_HEALTH_RETENTION_S): Promise<HealthStore> {
  const dir = join(dataDir, 'health');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'health.jsonl');
  const load = () => readJsonl(file, (v) => (healthSnapshot.is(v) ? v : null));
  let appends = 0;
  // One writer at a time: a prune must not drop an append running beside it.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => {});
    return p;
  };
  const prune = async () => {
    const cutoff = Date.now() - retentionS * 1000;
    const all = await load();
    const keep = all.filter((s) => Date.parse(s.time) >= cutoff).slice(-MAX_SNAPSHOTS);
    await rewriteJsonl(file, keep);
  };
  await serial(prune);
  return {
    append: (s) =>
      serial(async () => {
        await appendJsonl(file, s);
        if (++appends % PRUNE_EVERY === 0) await prune();
      }),
    since: (since, limit = MAX_SNAPSHOTS) =>
      serial(async () => {
        const all = await load();
        const t = since?.getTime() ?? -Infinity;
        return all.filter((s) => Date.parse(s.time) >= t).slice(0, limit);
      }),
  };
}
