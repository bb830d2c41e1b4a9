import { createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create as createTar } from 'tar';
import type { DeviceEntry, ExportResult } from '@pitwall/protocol';
import type { DiagnosticsStore } from './diagnostics-store.js';
import { redactValue } from './redact.js';
import { AUDIT_EXPORT_MAX, type AuditExtract } from './unit-source.js';

/** The unit's audit log for an archive: its records, or why they are not there. */
export type ExportAudit = { kind: 'included'; extract: AuditExtract } | { kind: 'not-served' | 'unavailable'; note: string };

export interface ExportInput {
  store: DiagnosticsStore;
  unitId: string;
  entry: DeviceEntry | null;
  audit: ExportAudit;
  out: string;
}

/**
 * The manifest's entry for an included audit log, with a note when older records are missing:
 * rotated away on the unit (it keeps its audit log bounded by size), or left out here.
 */
function includedAudit(extract: AuditExtract) {
  const { records, olderLeftOut, rotatedAway } = extract;
  const missing: string[] = [];
  if (rotatedAway > 0) missing.push(`The unit had rotated away its ${rotatedAway} oldest audit record(s) (seq 1 to ${rotatedAway}) before this archive was made: it keeps its audit log bounded by size.`);
  if (olderLeftOut > 0) missing.push(`This companion left out the ${olderLeftOut} oldest record(s) it read, to keep at most ${AUDIT_EXPORT_MAX} in the archive.`);
  return { file: 'audit.ndjson', records: records.length, olderLeftOut, rotatedAway, ...(missing.length > 0 ? { note: missing.join(' ') } : {}) };
}

/** A file name for a unit's archive: its name (letters, digits, dashes), short id and the date. */
export function exportFileName(entry: DeviceEntry | null, unitId: string, now = new Date()): string {
  const name = (entry?.name ?? 'unit').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'unit';
  return `pitwall-diagnostics-${name}-${unitId.slice(0, 8)}-${now.toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.tar.gz`;
}

/**
 * Writes one unit's diagnostics archive (tar.gz): logs.ndjson, health.ndjson, crashes/*.json,
 * info.json, audit.ndjson (or audit-log-not-included.txt saying why). Every text is redacted
 * once more on the way out. Written to a temporary file and renamed into place.
 */
export async function exportDiagnostics(input: ExportInput): Promise<ExportResult> {
  const { store, unitId, entry } = input;
  const staging = mkdtempSync(join(tmpdir(), 'pitwall-export-'));
  const top = exportFileName(entry, unitId).replace(/\.tar\.gz$/, '');
  const root = join(staging, top);
  mkdirSync(join(root, 'crashes'), { recursive: true });
  try {
    let logs = 0;
    const logFile = createWriteStream(join(root, 'logs.ndjson'));
    let buf = '';
    for (const rec of store.logs.iterateRecords(unitId)) {
      buf += `${JSON.stringify(redactValue(rec))}\n`;
      logs++;
      if (buf.length > 1 << 20) {
        if (!logFile.write(buf)) await once(logFile, 'drain');
        buf = '';
      }
    }
    logFile.end(buf);
    await once(logFile, 'finish');

    const health = store.health.list(unitId, null, null, 1_000_000);
    writeFileSync(join(root, 'health.ndjson'), health.map((s) => JSON.stringify(redactValue(s))).join('\n') + (health.length ? '\n' : ''));
    const dumps = store.crashes.dumps(unitId);
    for (const d of dumps) writeFileSync(join(root, 'crashes', `${d.id}.json`), `${JSON.stringify(redactValue(d), null, 2)}\n`);

    const info = {
      format: 'pitwall-diagnostics-v1',
      exportedAt: new Date().toISOString(),
      unit: entry ? redactValue({ id: entry.id, name: entry.name, model: entry.model, firmware: entry.firmware, commit: entry.commit, pairing: entry.pairing, links: entry.links }) : { id: unitId },
      counts: { logs, health: health.length, crashes: dumps.length },
      logCursors: [...store.logs.cursors(unitId).values()],
      logGaps: store.logs.gaps(unitId),
      auditLog: input.audit.kind === 'included' ? includedAudit(input.audit.extract) : { file: null, note: input.audit.note },
      redaction: 'secrets were redacted by the unit and again by the companion (secret-named fields, passphrase/password/token values in text, private keys)',
    };
    writeFileSync(join(root, 'info.json'), `${JSON.stringify(info, null, 2)}\n`);
    if (input.audit.kind === 'included') {
      writeFileSync(join(root, 'audit.ndjson'), input.audit.extract.records.map((r) => `${JSON.stringify(redactValue(r))}\n`).join(''));
    } else writeFileSync(join(root, 'audit-log-not-included.txt'), `${input.audit.note}\n`);

    mkdirSync(dirname(input.out), { recursive: true });
    const tmp = `${input.out}.partial`;
    await createTar({ gzip: true, file: tmp, cwd: staging, portable: true }, [top]);
    renameSync(tmp, input.out);
    return { path: input.out, bytes: statSync(input.out).size, logs, health: health.length, crashes: dumps.length, auditLog: input.audit.kind, auditRotatedAway: input.audit.kind === 'included' ? input.audit.extract.rotatedAway : 0 };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
