import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Companion } from '../../../src/companion.js';
import { redactText, redactValue } from '../../../src/diagnostics/redact.js';
import { makeBoot, makeCrash, makeHealth, makeRecord, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { pairedCompanion } from '../../helpers/diagnostics-fixtures.js';
import { scratchDir } from '../../helpers/units.js';

/**
 * Secrets the unit failed to redact, planted in many shapes and letter cases: the companion's
 * own pass must keep every one out of its database and out of the exported archive.
 */
const S = (n: number) => `Pl4nted-Secr3t-${n}-xq`;
const shapes: { msg?: string; extra?: Record<string, unknown> }[] = [
  { msg: `wifi connect ssid=Track psk=${S(1)}` },
  { msg: `Password: "${S(2)}"` },
  { extra: { wifi: { ssid: 'Track', PassPhrase: S(3) } } },
  { extra: { err: { message: `nmcli failed: passphrase ${S(4)} rejected`, stack: `Error: token=${S(5)}\n    at connect (net.js:1:1)` } } },
  { extra: { headers: { Authorization: `Bearer ${S(6)}` } } },
  { msg: `config {"api_key":"${S(7)}","mode":"sta"}` },
  { extra: { config: [{ name: 'x', secret: S(8) }] } },
  { msg: `PSK IS ${S(9)}` },
  { extra: { privateKey: `-----BEGIN PRIVATE KEY-----\n${S(10)}\n-----END PRIVATE KEY-----` } },
  { msg: `loaded -----BEGIN OPENSSH PRIVATE KEY-----${S(11)}` },
  { msg: `secret is "${S(12)} with spaces"` },
  { msg: `pass=${S(13)};retry` },
  { extra: { WiFi_PSK: S(14).toLowerCase() } },
  { msg: `CREDENTIALS: ${S(15).toUpperCase()}` },
  { extra: { nested: { deeper: { wifiPassword: S(16) } } } },
  { msg: `auth header 'Authorization: Basic ${S(17)}'` },
];
const SECRETS = Array.from({ length: 20 }, (_, i) => S(i + 1));

const scratch = scratchDir('diag-secrets');
const dataDir = join(scratch.dir, 'companion');
let unit: FakeDiagnosticsUnit;
let companion: Companion;

before(async () => {
  unit = await startFakeDiagnosticsUnit({ name: 'Leaky', audit: [JSON.stringify({ time: new Date().toISOString(), seq: 1, event: 'pair', outcome: 'refused', operatorFingerprint: null, role: null, via: 'network', detail: `wifi psk=${S(20)}` })] });
  const boot = makeBoot(unit.id, 2_000, {
    extra: (seq) => {
      const shape = shapes[seq % shapes.length]!;
      return seq % 7 === 0 ? { ...(shape.extra ?? {}), ...(shape.msg ? { note: shape.msg } : {}) } : undefined;
    },
  });
  // Messages carry the text shapes too.
  boot.lines = boot.lines.map((l, i) => {
    const shape = shapes[i % shapes.length]!;
    if (!shape.msg || i % 3 !== 0) return l;
    const rec = JSON.parse(l) as Record<string, unknown>;
    return JSON.stringify({ ...rec, msg: shape.msg });
  });
  unit.boots.push(boot);
  unit.health.push(makeHealth(unit.id, boot.boot, new Date(), { warnings: [`passphrase=${S(18)}`] }));
  const last = shapes.map((sh, i) => ({ ...makeRecord(unit.id, boot.boot, i + 1, Date.now()), ...(sh.msg ? { msg: sh.msg } : {}), ...(sh.extra ?? {}) }));
  unit.crashes.push(makeCrash(unit.id, boot.boot, 'leak-1', 'uncaught-exception', `wpa_supplicant: psk=${S(19)}`, last, { wifiPassword: S(19), net: { Token: S(19) } }));
  companion = await pairedCompanion(dataDir, [unit]);
});
after(async () => {
  await companion?.close();
  await unit?.close();
  scratch.cleanup();
});

function hits(dir: string): string[] {
  const found: string[] = [];
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    let text: string;
    try {
      text = readFileSync(join(dir, f)).toString('latin1').toLowerCase();
    } catch {
      continue;
    }
    for (const s of SECRETS) if (text.includes(s.toLowerCase())) found.push(`${s} in ${f}`);
  }
  return found;
}

test('every planted shape is redacted by the companion pass (unit test of the pure functions)', () => {
  for (const sh of shapes) {
    const out = JSON.stringify({ msg: sh.msg ? redactText(sh.msg) : '', extra: redactValue(sh.extra ?? {}) }).toLowerCase();
    for (const s of SECRETS) assert.ok(!out.includes(s.toLowerCase()), `${s} left in ${out}`);
  }
  assert.equal(redactText('test passed 3 checks, compass ok'), 'test passed 3 checks, compass ok', 'ordinary words stay');
});

test('zero planted secrets in the companion database and in the exported archive', async () => {
  const [r] = await companion.handlers['sync:diagnostics']({});
  assert.ok(r?.ok, r?.error ?? 'no result');
  assert.equal(r.logs, 2_000);
  assert.equal(r.crashes, 1);
  const redacted = await companion.handlers['logs:query']({ text: 'redacted', limit: 5 });
  assert.ok(redacted.total > 0, 'the redaction marker is searchable');
  // The database files on disk (main file and WAL), byte for byte.
  assert.deepEqual(hits(dataDir).filter((h) => !h.includes('exports')), []);
  const exported = await companion.handlers['diagnostics:export']({ id: unit.id });
  assert.equal(exported.logs, 2_000);
  assert.equal(exported.auditLog, 'included');
  const out = join(scratch.dir, 'extracted');
  mkdirSync(out);
  execFileSync('tar', ['-xzf', exported.path, '-C', out]);
  const files = readdirSync(out, { recursive: true, encoding: 'utf8' });
  for (const f of ['logs.ndjson', 'health.ndjson', 'info.json', 'audit.ndjson', 'crashes/leak-1.json']) {
    assert.ok(files.some((x) => x.endsWith(f)), `${f} in the archive: ${files.join(', ')}`);
  }
  assert.deepEqual(hits(out), []);
  // And grep (the tool support staff would use) agrees.
  const grep = (() => {
    try {
      return execFileSync('grep', ['-r', '-i', '-c', '-E', SECRETS.join('|'), out, dataDir], { encoding: 'utf8' });
    } catch (err) {
      return (err as { stdout?: string }).stdout ?? '';
    }
  })();
  assert.deepEqual(grep.split('\n').filter((l) => l && !l.endsWith(':0')), []);
});
