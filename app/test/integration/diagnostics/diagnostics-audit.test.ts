import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { auditRecord, type AuditRecord } from '@pitwall/protocol';
import { auditFiles, refusalFiles } from '@pitwall/device';
import { createCompanion, type Companion } from '../../../src/companion.js';
import { exportDiagnostics } from '../../../src/diagnostics/diagnostics-export.js';
import { DiagnosticsStore } from '../../../src/diagnostics/diagnostics-store.js';
import { AUDIT_EXPORT_MAX } from '../../../src/diagnostics/unit-source.js';
import { openDatabase } from '../../../src/store/database.js';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { pairedCompanion } from '../../helpers/diagnostics-fixtures.js';
import { writeSyntheticNmea } from '../../helpers/synthetic-nmea.js';
import { killStrays, pairOverUsb, scratchDir, waitFor } from '../../helpers/units.js';

/**
 * The unit's audit log in the diagnostics archive: read from a real unit over GET /v1/audit by
 * its owner (redacted once more), refused to a support operator, noted as absent when the unit
 * is offline; answers that are not audit records are refused, long logs are paged; records the
 * unit rotated away are counted in the manifest, apart from those the companion left out.
 */
const scratch = scratchDir('diag-audit');
const unitDir = join(scratch.dir, 'Audit-Unit');
const recording = writeSyntheticNmea(join(scratch.dir, 'audit.nmea'), 600);
// An operator name is the operator's to choose, and lands in the unit's audit records.
const PLANTED = 'Zq8PlantedAuditSecret';
let unit: SimUnit;
let owner: Companion;
let support: Companion;

function companion(name: string, operatorName: string, serial = true): Companion {
  return createCompanion({
    dataDir: join(scratch.dir, name),
    mdns: false,
    serial,
    serialPaths: [unit.ready.serialPath],
    listPorts: async () => [],
    hotplug: false,
    pollIntervalMs: 300,
    events: () => undefined,
    operatorName,
  });
}

/**
 * Pairs a companion over USB (one at a time: the companion holding the serial port is closed
 * after), then starts it again without serial, on its stored pin, once the unit is online.
 */
async function pairedOverUsb(name: string, operatorName: string, role: 'owner' | 'support'): Promise<Companion> {
  const pairing = companion(name, operatorName);
  try {
    await pairOverUsb(pairing, unit, role);
  } finally {
    await pairing.close();
  }
  const c = companion(name, operatorName, false);
  await waitFor('unit online and paired', async () => {
    await c.refresh();
    return c.list().some((e) => e.id === unit.ready.id && e.online && e.pairing.state === 'paired');
  }, 15_000, 200);
  return c;
}

/** Extracts an archive; returns its top folder. */
function extract(path: string, into: string): string {
  mkdirSync(into);
  execFileSync('tar', ['-xzf', path, '-C', into]);
  return join(into, readdirSync(into)[0]!);
}

/** The unit's audit records as its files hold them (security records and refusals), in seq order. */
const unitAudit = (): AuditRecord[] =>
  [...auditFiles(unitDir), ...refusalFiles(unitDir)]
    .filter((f) => existsSync(f))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter(Boolean)
    .map((l) => auditRecord.parse(JSON.parse(l)))
    .sort((a, b) => a.seq - b.seq);

before(async () => {
  assert.ok(existsSync(DEVICE_CLI), 'device runtime built');
  unit = await startSimUnit({ dataDir: unitDir, name: 'Audit-Unit', recording }, 30_000);
  owner = await pairedOverUsb('owner', `Ops password=${PLANTED}`, 'owner');
  support = await pairedOverUsb('support', 'Support desk', 'support');
});

after(async () => {
  await owner?.close();
  await support?.close();
  await unit?.stop('SIGTERM');
  killStrays(scratch.dir);
  scratch.cleanup();
});

test('online, paired as owner: the archive holds the unit\'s audit records, redacted', async () => {
  const result = await owner.exportDiagnosticsTo(unit.ready.id, join(scratch.dir, 'owner.tar.gz'));
  assert.equal(result.auditLog, 'included');
  assert.equal(result.auditRotatedAway, 0);
  const top = extract(result.path, join(scratch.dir, 'x-owner'));
  assert.ok(!existsSync(join(top, 'audit-log-not-included.txt')));
  const exported = readFileSync(join(top, 'audit.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => auditRecord.parse(JSON.parse(l)));
  const onUnit = unitAudit();
  assert.ok(onUnit.length >= 2, `${onUnit.length} records on the unit`);
  assert.deepEqual(exported.map((r) => r.seq), onUnit.slice(0, exported.length).map((r) => r.seq));
  assert.ok(exported.length >= 2, 'both pairings');
  const pairs = exported.filter((r) => r.event === 'pair' && r.outcome === 'ok');
  assert.deepEqual(pairs.map((r) => [r.role, r.via]), [['owner', 'usb'], ['support', 'usb']]);
  assert.ok(onUnit.some((r) => r.detail.includes(PLANTED)), 'the unit keeps the name as given');
  assert.match(pairs[0]!.detail, /^paired "Ops password=\[redacted\]"$/);
  assert.ok(!readFileSync(join(top, 'audit.ndjson'), 'utf8').includes(PLANTED), 'redacted in the archive');
  const info = JSON.parse(readFileSync(join(top, 'info.json'), 'utf8')) as { auditLog: { file: string; records: number; olderLeftOut: number; rotatedAway: number } };
  assert.deepEqual(info.auditLog, { file: 'audit.ndjson', records: exported.length, olderLeftOut: 0, rotatedAway: 0 }, 'nothing missing, no note');
});

test('paired as support: the unit refuses its audit log; the archive says only the owner may read it', async () => {
  const result = await support.exportDiagnosticsTo(unit.ready.id, join(scratch.dir, 'support.tar.gz'));
  assert.equal(result.auditLog, 'unavailable');
  const top = extract(result.path, join(scratch.dir, 'x-support'));
  assert.ok(!existsSync(join(top, 'audit.ndjson')));
  assert.match(readFileSync(join(top, 'audit-log-not-included.txt'), 'utf8'), /^Only the owner of Audit-Unit may read its audit log; this companion is paired as support/);
  assert.ok(unitAudit().some((r) => r.event === 'refuse' && r.role === 'support' && /GET \/v1\/audit/.test(r.detail)), 'the refusal is audited');
});

test('offline: the archive notes that the audit log stayed on the unit', async () => {
  await unit.stop('SIGTERM');
  await waitFor('unit offline', async () => {
    await owner.refresh();
    return owner.list().some((e) => e.id === unit.ready.id && !e.online);
  }, 20_000, 200);
  const result = await owner.exportDiagnosticsTo(unit.ready.id, join(scratch.dir, 'offline.tar.gz'));
  assert.equal(result.auditLog, 'unavailable');
  const top = extract(result.path, join(scratch.dir, 'x-offline'));
  assert.ok(!existsSync(join(top, 'audit.ndjson')));
  assert.match(readFileSync(join(top, 'audit-log-not-included.txt'), 'utf8'), /^Audit-Unit was offline when this archive was made; its audit log stays on the unit/);
  const info = JSON.parse(readFileSync(join(top, 'info.json'), 'utf8')) as { auditLog: { file: null; note: string } };
  assert.equal(info.auditLog.file, null);
});

/** An audit line as a unit serves it. */
const record = (seq: number): string =>
  JSON.stringify({ time: new Date(1_700_000_000_000 + seq).toISOString(), seq, event: 'refuse', outcome: 'refused', operatorFingerprint: null, role: null, via: 'network', detail: `unauthenticated: GET /v1/status #${seq}` });

interface IncludedAuditEntry {
  file: string;
  records: number;
  olderLeftOut: number;
  rotatedAway: number;
  note?: string;
}

test('an answer that is not audit records is refused with the reason; a long log is read page by page', async () => {
  const units: FakeDiagnosticsUnit[] = [
    await startFakeDiagnosticsUnit({ name: 'Odd Audit', audit: [record(1), JSON.stringify({ seq: 2, action: 'wifi', detail: 'x' })] }),
    await startFakeDiagnosticsUnit({ name: 'Long Audit', audit: Array.from({ length: 10_050 }, (_, i) => record(i + 1)) }),
  ];
  const c = await pairedCompanion(join(scratch.dir, 'fakes'), units);
  try {
    const odd = await c.exportDiagnosticsTo(units[0]!.id, join(scratch.dir, 'odd.tar.gz'), false);
    assert.equal(odd.auditLog, 'unavailable');
    const oddTop = extract(odd.path, join(scratch.dir, 'x-odd'));
    assert.match(readFileSync(join(oddTop, 'audit-log-not-included.txt'), 'utf8'), /could not be read from Odd Audit: .*not an audit record \(invalid AuditRecord/);
    const long = await c.exportDiagnosticsTo(units[1]!.id, join(scratch.dir, 'long.tar.gz'), false);
    assert.equal(long.auditLog, 'included');
    const longTop = extract(long.path, join(scratch.dir, 'x-long'));
    const seqs = readFileSync(join(longTop, 'audit.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => auditRecord.parse(JSON.parse(l)).seq);
    assert.deepEqual(seqs, Array.from({ length: 10_050 }, (_, i) => i + 1));
    assert.deepEqual(units[1]!.requests.filter((r) => r.startsWith('GET /v1/audit')), ['GET /v1/audit?after=0&limit=10000', 'GET /v1/audit?after=10000&limit=10000']);
    const info = JSON.parse(readFileSync(join(longTop, 'info.json'), 'utf8')) as { auditLog: IncludedAuditEntry };
    assert.deepEqual(info.auditLog, { file: 'audit.ndjson', records: 10_050, olderLeftOut: 0, rotatedAway: 0 });
  } finally {
    await c.close();
    await Promise.all(units.map((u) => u.close()));
  }
});

test('records the unit rotated away: a first record at seq 500 puts 499 rotated away in the manifest, none left out', async () => {
  // Seq has no holes on a unit, so a first record at 500 (read from after=0) means 1..499 were
  // rotated away; two pages, so the count is taken from the first only.
  const u = await startFakeDiagnosticsUnit({ name: 'Rotated Audit', audit: Array.from({ length: 10_010 }, (_, i) => record(500 + i)) });
  const c = await pairedCompanion(join(scratch.dir, 'fakes-rotated'), [u]);
  try {
    const res = await c.exportDiagnosticsTo(u.id, join(scratch.dir, 'rotated.tar.gz'), false);
    assert.equal(res.auditLog, 'included');
    assert.equal(res.auditRotatedAway, 499, 'the CLI and the Export button are told too');
    const top = extract(res.path, join(scratch.dir, 'x-rotated'));
    const seqs = readFileSync(join(top, 'audit.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => auditRecord.parse(JSON.parse(l)).seq);
    assert.deepEqual([seqs[0], seqs.at(-1), seqs.length], [500, 10_509, 10_010]);
    assert.deepEqual(u.requests.filter((r) => r.startsWith('GET /v1/audit')), ['GET /v1/audit?after=0&limit=10000', 'GET /v1/audit?after=10499&limit=10000']);
    const info = JSON.parse(readFileSync(join(top, 'info.json'), 'utf8')) as { auditLog: IncludedAuditEntry };
    const { note, ...counts } = info.auditLog;
    assert.deepEqual(counts, { file: 'audit.ndjson', records: 10_010, olderLeftOut: 0, rotatedAway: 499 });
    assert.match(note ?? '', /^The unit had rotated away its 499 oldest audit record\(s\) \(seq 1 to 499\) before this archive was made: it keeps its audit log bounded by size\.$/);
  } finally {
    await c.close();
    await u.close();
  }
});

test('the manifest keeps records rotated away on the unit apart from those the companion left out', async () => {
  const records = [auditRecord.parse(JSON.parse(record(11)))];
  const res = await exportDiagnostics({
    store: new DiagnosticsStore(openDatabase(null)),
    unitId: 'b6a4f7a2-0000-4000-8000-000000000001',
    entry: null,
    audit: { kind: 'included', extract: { records, olderLeftOut: 3, rotatedAway: 7 } },
    out: join(scratch.dir, 'both.tar.gz'),
  });
  const top = extract(res.path, join(scratch.dir, 'x-both'));
  const info = JSON.parse(readFileSync(join(top, 'info.json'), 'utf8')) as { auditLog: IncludedAuditEntry };
  assert.deepEqual(info.auditLog, {
    file: 'audit.ndjson',
    records: 1,
    olderLeftOut: 3,
    rotatedAway: 7,
    note: `The unit had rotated away its 7 oldest audit record(s) (seq 1 to 7) before this archive was made: it keeps its audit log bounded by size. This companion left out the 3 oldest record(s) it read, to keep at most ${AUDIT_EXPORT_MAX} in the archive.`,
  });
});
