import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpdateStatus } from '@pitwall/protocol';
import { writeFileAtomic } from '@pitwall/protocol/node';
import type { AuditLog } from '../identity/audit-log.js';
import type { Logger } from '../ops/logger.js';

export interface OutcomeAuditOptions {
  dataDir: string;
  status: () => Promise<UpdateStatus>;
  audit: AuditLog;
  log: Logger;
  /** How often the boot record is looked at (the launcher commits or rolls back on its own). */
  intervalMs?: number;
}

export interface OutcomeAudit {
  check(): Promise<void>;
  stop(): void;
}

/**
 * The launcher, not the runtime, ends an update (committed after the health gate, rolled back
 * after failed trial boots); this puts each ending in the unit's audit log once. The ending last
 * audited is kept on the data partition, so a restart does not write it again.
 */
export function auditUpdateOutcomes(o: OutcomeAuditOptions): OutcomeAudit {
  const marker = join(o.dataDir, 'update', 'audited-outcome');
  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      const s = await o.status();
      if (s.operation !== 'committed' && s.operation !== 'rolled-back') return;
      const key = `${s.operation}@${s.changedAt}`;
      const last = await readFile(marker, 'utf8').catch(() => '');
      if (last === key) return;
      const detail =
        s.operation === 'committed'
          ? `runtime ${s.targetVersion ?? '?'} committed in slot ${s.target ?? '?'} (passed its health gate)`
          : `runtime ${s.targetVersion ?? '?'} in slot ${s.target ?? '?'} rolled back to slot ${s.active}: ${s.lastError ?? s.bootFailures.at(-1) ?? 'no reason recorded'}`;
      const ok = await o.audit.write({ event: 'update', outcome: s.operation === 'committed' ? 'ok' : 'error', operatorFingerprint: null, role: null, via: 'boot', detail: detail.slice(0, 500) });
      if (!ok) return;
      await mkdir(join(o.dataDir, 'update'), { recursive: true });
      await writeFileAtomic(marker, key, 0o644);
    } catch (err) {
      o.log.warn(`update outcome not audited yet: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), o.intervalMs ?? 5000);
  timer.unref();
  void check();
  return { check, stop: () => clearInterval(timer) };
}
