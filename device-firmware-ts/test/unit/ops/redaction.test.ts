import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logRecord } from '@pitwall/protocol';
import { createUnitLogger, Redactor } from '../../../src/index.js';
import { tempDir } from '../../helpers/paths.js';

const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHs3cr3tK3yMaterialHere0123456789abcd\n-----END PRIVATE KEY-----';

test('planted secrets in many shapes and cases never reach the log file, ring or stderr', async () => {
  const { dir, cleanup } = await tempDir('redact');
  try {
    const stderr: string[] = [];
    const logger = createUnitLogger({ file: join(dir, 'pitwall.log'), fw: '1', commit: 'c', unit: UNIT, stderrLevel: 'trace', stderr: (l) => stderr.push(l) });
    logger.redactor.addSecret('Tr4ckDay-Wifi!');
    const log = logger.for('net');
    log.info('joining with psk=hunter2hunter2 now');
    log.info('config password: "s3cr3t-pw"');
    log.info('PASSPHRASE=CapsPass99 and Token: abcdef123456');
    log.info('header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig');
    log.info(`key material ${PEM}`);
    log.warn('wifi rejected tr4ckday-WIFI! (case differs)');
    log.info('fields', { wifi: { ssid: 'Paddock', Passphrase: 'n3sted-pass', deeper: { PSK: 'n3sted-psk', list: [{ apiKey: 'k-111111' }] } }, privateKey: PEM, Cookie: 'sid=c00kie', note: 'Tr4ckDay-Wifi!' });
    const err = new Error('connect failed: password=errpass77');
    (err as Error & { secret?: string }).secret = 'errfield88';
    log.error('nmcli failed for TR4CKDAY-WIFI!', { err });
    logger.flushSync();
    await logger.close();
    const text = await readFile(join(dir, 'pitwall.log'), 'utf8');
    const all = [text, stderr.join(''), JSON.stringify(logger.lastRecords())].join('\n');
    for (const secret of ['hunter2hunter2', 's3cr3t-pw', 'CapsPass99', 'abcdef123456', 'eyJhbGciOiJIUzI1NiJ9', 'Tr4ckDayMaterialHere', 'MaterialHere', 'n3sted-pass', 'n3sted-psk', 'k-111111', 'c00kie', 'errpass77', 'errfield88']) {
      assert.ok(!all.toLowerCase().includes(secret.toLowerCase()), `secret ${secret} leaked`);
    }
    assert.ok(!/tr4ckday-wifi!/i.test(all), 'runtime secret leaked in some case');
    assert.ok(!all.includes('BEGIN PRIVATE KEY'));
    const lines = text.trim().split('\n').map((l) => logRecord.parse(JSON.parse(l)));
    assert.equal(lines.length, 8);
    assert.deepEqual(lines.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.match(lines[0]!.msg, /psk=\[redacted\]/);
    const fields = lines[6] as unknown as { wifi: { ssid: string } };
    assert.equal(fields.wifi.ssid, 'Paddock', 'plain fields survive');
  } finally {
    await cleanup();
  }
});

test('the redactor keeps ordinary text and caller fields cannot override the record fields', async () => {
  const r = new Redactor();
  assert.equal(r.text('lap 3: 1:02.345, sector 2 best'), 'lap 3: 1:02.345, sector 2 best');
  assert.equal(r.text('keyboard: ok'), 'keyboard: ok');
  const { dir, cleanup } = await tempDir('redact2');
  try {
    const logger = createUnitLogger({ file: join(dir, 'pitwall.log'), fw: '1', commit: 'c', unit: UNIT, stderrLevel: null });
    logger.for('api').info('x', { seq: 99, boot: 'forged', level: 'fatal' });
    await logger.close();
    const rec = logRecord.parse(JSON.parse((await readFile(join(dir, 'pitwall.log'), 'utf8')).trim()));
    assert.equal(rec.seq, 1);
    assert.equal(rec.boot, logger.boot);
    assert.equal(rec.level, 'info');
    assert.equal((rec as Record<string, unknown>).seq_, 99);
  } finally {
    await cleanup();
  }
});
