import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crashDump, type CrashDump, type CrashKind, type CrashSummary } from '@pitwall/protocol';
import { writeFileAtomicSync } from '@pitwall/protocol/node';

export const DEFAULT_MAX_CRASHES = 20;
export const DEFAULT_MAX_CRASH_BYTES = 20 * 1024 * 1024;
const ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface CrashStore {
  readonly dir: string;
  /** Where Node writes diagnostic reports (DATA_DIR/crashes/reports). */
  readonly reportsDir: string;
  newId(kind: CrashKind): string;
  /** Synchronous on purpose: it runs on the way down (uncaught exception, hang watchdog). */
  writeSync(dump: CrashDump): void;
  list(): CrashSummary[];
  read(id: string): string | null;
  confirm(ids: string[]): number;
}

/**
 * DATA_DIR/crashes/<id>.json, one dump a file, plus <id>.confirmed markers. Bounded in count and
 * total size: the oldest confirmed dumps go first, then the oldest.
 */
export function openCrashStore(dataDir: string, limits: { maxCount?: number; maxBytes?: number } = {}): CrashStore {
  const dir = join(dataDir, 'crashes');
  const reportsDir = join(dir, 'reports');
  mkdirSync(reportsDir, { recursive: true });
  const maxCount = limits.maxCount ?? DEFAULT_MAX_CRASHES;
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_CRASH_BYTES;
  const file = (id: string) => join(dir, `${id}.json`);
  const marker = (id: string) => join(dir, `${id}.confirmed`);

  const entries = () => {
    const names = readdirSync(dir);
    const confirmed = new Set(names.filter((n) => n.endsWith('.confirmed')).map((n) => n.slice(0, -10)));
    return names
      .filter((n) => n.endsWith('.json') && !n.includes('.tmp-'))
      .map((n) => {
        const id = n.slice(0, -5);
        return { id, sizeB: statSync(join(dir, n)).size, confirmed: confirmed.has(id) };
      })
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  };

  const remove = (id: string) => {
    for (const f of [file(id), marker(id)]) {
      try {
        unlinkSync(f);
      } catch {
        /* already gone */
      }
    }
  };

  const enforce = () => {
    let all = entries();
    const total = () => all.reduce((s, e) => s + e.sizeB, 0);
    while (all.length > maxCount || (all.length > 1 && total() > maxBytes)) {
      const victim = all.find((e) => e.confirmed) ?? all[0]!;
      remove(victim.id);
      all = all.filter((e) => e !== victim);
    }
  };

  return {
    dir,
    reportsDir,
    newId(kind) {
      // Sortable by time; the random tail keeps two dumps of one millisecond apart.
      return `${new Date().toISOString().replace(/[-:.]/g, '')}-${kind}-${randomBytes(3).toString('hex')}`;
    },
    writeSync(dump) {
      writeFileAtomicSync(file(dump.id), JSON.stringify(dump));
      enforce();
    },
    list() {
      const out: CrashSummary[] = [];
      for (const e of entries()) {
        try {
          const d = JSON.parse(readFileSync(file(e.id), 'utf8')) as CrashDump;
          if (!crashDump.is(d)) continue;
          out.push({ id: e.id, time: d.time, kind: d.kind, message: d.error.message.slice(0, 500), fw: d.fw, commit: d.commit, boot: d.boot, sizeB: e.sizeB, confirmed: e.confirmed });
        } catch {
          /* unreadable dump: skipped (atomic writes make this a foreign file) */
        }
      }
      return out;
    },
    read(id) {
      if (!ID.test(id)) return null;
      try {
        return readFileSync(file(id), 'utf8');
      } catch {
        return null;
      }
    },
    confirm(ids) {
      let n = 0;
      for (const id of ids) {
        if (!ID.test(id)) continue;
        try {
          statSync(file(id));
          writeFileSync(marker(id), '');
          n++;
        } catch {
          /* unknown id: nothing to confirm */
        }
      }
      enforce();
      return n;
    },
  };
}
