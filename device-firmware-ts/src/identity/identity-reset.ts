import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { openAuditLog } from './audit-log.js';
import { fsyncDir } from './atomic-file.js';
import { identityPaths } from './unit-identity.js';
import type { Logger } from '../ops/logger.js';

/**
 * The deliberate recovery path for a missing or corrupt key: moves the id, key and operator
 * list aside (identity/retired-TIME/, kept for forensics), audits it, and lets the next boot
 * make a fresh identity. Every companion must pair again. Run only while the unit is stopped.
 */
export async function resetIdentity(dataDir: string, log: Logger): Promise<{ retiredTo: string; moved: string[] }> {
  const p = identityPaths(dataDir);
  const retiredTo = join(p.dir, `retired-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(retiredTo, { recursive: true, mode: 0o700 });
  const moved: string[] = [];
  // A birth certificate and hub records name the old key: they retire with it.
  for (const file of [p.key, p.id, p.operators, p.birthCertificate, p.hubRegistrations]) {
    try {
      await rename(file, join(retiredTo, file.slice(p.dir.length + 1)));
      moved.push(file.slice(p.dir.length + 1));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  await fsyncDir(p.dir);
  const audit = await openAuditLog(dataDir, log);
  await audit.write({
    event: 'identity',
    outcome: 'ok',
    operatorFingerprint: null,
    role: null,
    via: null,
    detail: `identity reset by the operator: moved ${moved.join(', ') || 'nothing'} to ${retiredTo.slice(p.dir.length + 1)}; the next boot makes a new identity`,
  });
  await audit.close();
  return { retiredTo, moved };
}
