// ADVERSARIAL.md, Trust: "Unpaired, revoked, wrong-key ... requests -> refused and audited", at
// flood rate (issue 10, finding 2): 100,000 refusals at full speed from the LAN must not rotate
// a pairing out of the audit log, and the unit's disk writes stay bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { auditRecord, type AuditRecord } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, type OperatorCreds } from '../../helpers/https-client.js';

const REFUSALS = 100_000;
/** Disk bytes the unit may write while refusing them all (its log, health and audit files; no session records meanwhile). */
const DISK_BUDGET_B = 1024 * 1024;

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let staff: OperatorCreds;

/** Bytes the process made the kernel send to storage so far (/proc/PID/io write_bytes). */
async function diskWrites(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  return Number(/^write_bytes: (\d+)$/m.exec(io)![1]);
}

before(async () => {
  data = await tempDir('refusal-flood');
  unit = await startSimUnit({ dataDir: data.dir, speed: 5, extraArgs: ['--pairing-window', '20', '--no-auto-session'] });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('owner');
  staff = await makeOperator('staff');
  await pairOverSerial(unit.ready.serialPath, owner, 'owner');
  await pressSimButton(data.dir, 'pair');
  const net = await https(base, 'POST', '/v1/pairing', { client: staff, body: { operatorName: 'team', role: 'staff' } });
  assert.equal(net.status, 200, net.body);
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

async function auditOverApi(): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let after = 0; ; ) {
    const res = await https(base, 'GET', `/v1/audit?after=${after}`, { client: owner, timeoutMs: 30_000 });
    assert.equal(res.status, 200, res.body);
    const page = res.body.split('\n').filter(Boolean).map((l) => auditRecord.parse(JSON.parse(l)));
    out.push(...page);
    if (page.length < 10_000) return out;
    after = page.at(-1)!.seq;
  }
}

test(`refusal flood: ${REFUSALS.toLocaleString('en')} refused pairings at full speed keep every pairing record; disk writes bounded`, async () => {
  const stranger = await makeOperator('flooder');
  const before = await diskWrites(unit.process.pid!);
  const t0 = performance.now();
  // Closed-window pairings with a client certificate: the kind the old code wrote and fsync'd one by one.
  // Meanwhile the owner, from the same address as the flood, is still served: the per-address
  // limit counts only sources without a paired key.
  const ownerDuring = (async () => {
    await new Promise((r) => setTimeout(r, 3000));
    return https(base, 'GET', '/v1/status', { client: owner, timeoutMs: 15_000 });
  })();
  const result = await autocannon({
    url: `${base}/v1/pairing`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operatorName: 'rogue', role: 'owner' }),
    connections: 16,
    amount: REFUSALS,
    timeout: 30,
    tlsOptions: { key: stranger.keyPem, cert: stranger.certPem, rejectUnauthorized: false },
  });
  const seconds = (performance.now() - t0) / 1000;
  const written = (await diskWrites(unit.process.pid!)) - before;
  const refused = result['4xx'];
  console.log(`# ${refused} refusals in ${seconds.toFixed(1)} s (${Math.round(refused / seconds)}/s); unit disk writes ${written} B (${(written / refused).toFixed(2)} B per refusal)`);
  assert.ok(refused >= REFUSALS * 0.99, `refused ${refused} of ${REFUSALS} (errors ${result.errors}, timeouts ${result.timeouts})`);
  assert.equal(result['2xx'], 0, 'nobody paired');
  assert.equal((await ownerDuring).status, 200, 'the owner was served during the flood');
  assert.ok((result.statusCodeStats as Record<string, { count: number }>)['429']!.count > REFUSALS / 2, 'most of the flood was past its address\'s rate');
  assert.ok(written <= DISK_BUDGET_B, `the unit wrote ${written} B for ${refused} refusals`);

  // Every pairing is still on record, through the owner's API and in the security file.
  const recs = await auditOverApi();
  const pairedOk = recs.filter((r) => r.event === 'pair' && r.outcome === 'ok').map((r) => [r.operatorFingerprint, r.via]);
  assert.deepEqual(pairedOk, [[owner.fingerprint, 'usb'], [staff.fingerprint, 'network']], JSON.stringify(recs.slice(0, 5)));
  assert.ok(recs.some((r) => r.event === 'pairing-window' && /opened/.test(r.detail)), 'the window opening too');
  const seqs = recs.map((r) => r.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in seq order');
  assert.equal(new Set(seqs).size, seqs.length);
  // The refusals are accounted for in summaries, not one record each.
  const counted = recs.filter((r) => r.outcome === 'refused').reduce((n, r) => n + (Number(/^(\d+) more identical/.exec(r.detail)?.[1] ?? 0) || 1), 0);
  assert.ok(recs.length < 1000, `${recs.length} records for ${refused} refusals`);
  assert.ok(counted >= 1, 'the flood is on record');
  assert.equal(unit.process.exitCode, null);
});
