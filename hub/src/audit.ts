import type { Kysely } from 'kysely';
import type { HubTables } from './db/tables.js';
import { newId, nowIso } from './db/ids.js';

export const AUDIT_KINDS = ['key-mismatch', 'registered', 'claimed', 'claim-code-issued', 'key-unvouched'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export async function writeAudit(db: Kysely<HubTables>, at: number, kind: AuditKind, unitId: string | null, detail: Record<string, unknown>): Promise<void> {
  await db.insertInto('audit').values({ id: newId(), at: nowIso(at), kind, unit_id: unitId, detail: JSON.stringify(detail) }).execute();
}

export interface AuditEntry {
  at: string;
  kind: string;
  unitId: string | null;
  detail: Record<string, unknown>;
}

/** The newest records first (at most `limit`), optionally of one kind. */
export async function readAudit(db: Kysely<HubTables>, opts: { kind?: AuditKind; limit?: number } = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit').selectAll().orderBy('at', 'desc').orderBy('id').limit(opts.limit ?? 100);
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  const rows = await q.execute();
  return rows.map((r) => ({ at: r.at, kind: r.kind, unitId: r.unit_id, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}
