import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deviceInfo, deviceStatus } from '@pitwall/protocol';
import { DEVICE_CLI, startSimUnit } from '../../../../testbed/sim-unit.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit } from '../../helpers/https-client.js';
import { openAuditLog, readHardwareSerial, silentLogger, uuidV5 } from '../../../src/index.js';

async function infoOf(port: number) {
  return deviceInfo.parse(JSON.parse((await https(`https://127.0.0.1:${port}`, 'GET', '/v1/info')).body));
}

test('identity survives a restart: same id, same fingerprint, operators kept; audit seq continues', async () => {
  const { dir, cleanup } = await tempDir('restart-id');
  try {
    const a = await startSimUnit({ dataDir: dir });
    const op = await makeOperator();
    await pairOverSerial(a.ready.serialPath, op, 'owner');
    const infoA = await infoOf(a.ready.apiPort);
    assert.equal(await a.stop(), 0);
    const b = await startSimUnit({ dataDir: dir });
    try {
      const infoB = await infoOf(b.ready.apiPort);
      assert.equal(b.ready.id, a.ready.id);
      assert.equal(infoB.fingerprint, infoA.fingerprint);
      assert.equal(b.ready.id, uuidV5((await readFile(join(dir, 'sim-board', 'serial'), 'utf8')).trim()));
      const s = await https(`https://127.0.0.1:${b.ready.apiPort}`, 'GET', '/v1/status', { client: op });
      assert.equal(s.status, 200, 'the operator is still paired after the restart');
      await https(`https://127.0.0.1:${b.ready.apiPort}`, 'GET', '/v1/status');
    } finally {
      await b.stop();
    }
    const seqs = (await readAudit(dir)).map((r) => r.seq);
    assert.ok(seqs.length >= 2);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    assert.equal((await stat(join(dir, 'identity', 'unit-key.pem'))).mode & 0o777, 0o600);
  } finally {
    await cleanup();
  }
});

for (const damage of ['corrupt', 'missing'] as const) {
  test(`a ${damage} key is reported (status key-${damage}, log, audit), no new identity; only discovery is served`, async () => {
    const { dir, cleanup } = await tempDir(`key-${damage}`);
    try {
      const a = await startSimUnit({ dataDir: dir });
      const op = await makeOperator();
      await pairOverSerial(a.ready.serialPath, op, 'owner');
      await a.stop();
      const keyFile = join(dir, 'identity', 'unit-key.pem');
      const original = await readFile(keyFile, 'utf8');
      if (damage === 'corrupt') await writeFile(keyFile, original.slice(0, 50));
      else await unlink(keyFile);
      const b = await startSimUnit({ dataDir: dir });
      try {
        const base = `https://127.0.0.1:${b.ready.apiPort}`;
        assert.equal(b.ready.id, a.ready.id);
        const info = await infoOf(b.ready.apiPort);
        assert.equal(info.fingerprint, null);
        const status = await https(base, 'GET', '/v1/status', { client: op });
        assert.equal(status.status, 503);
        assert.equal(JSON.parse(status.body).error.code, 'identity-unavailable');
        const pairing = await pairOverSerial(b.ready.serialPath, await makeOperator(), 'owner').catch((e: Error) => e.message);
        assert.match(String(pairing), /missing or corrupt/);
        assert.ok(b.output.join('').includes(`key-${damage}`) || b.output.join('').includes(damage), 'logged');
        if (damage === 'corrupt') assert.equal(await readFile(keyFile, 'utf8'), original.slice(0, 50), 'the damaged key is kept for recovery');
        else assert.deepEqual((await readdir(join(dir, 'identity'))).filter((f) => f.startsWith('unit-key')), [], 'no new key was made');
      } finally {
        await b.stop();
      }
      const recs = await readAudit(dir);
      assert.ok(recs.some((r) => r.event === 'identity' && r.outcome === 'error' && r.detail.includes(damage)), JSON.stringify(recs));
      // The deliberate recovery: reset, then boot a fresh identity (same hardware id, new key).
      const reset = spawnSync(process.execPath, [DEVICE_CLI, 'identity', 'reset', '--data-dir', dir], { encoding: 'utf8' });
      assert.equal(reset.status, 2, 'refused without --confirm');
      const ok = spawnSync(process.execPath, [DEVICE_CLI, 'identity', 'reset', '--data-dir', dir, '--confirm'], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stderr);
      const c = await startSimUnit({ dataDir: dir });
      try {
        const info = await infoOf(c.ready.apiPort);
        assert.equal(c.ready.id, a.ready.id, 'the id comes from the hardware');
        assert.match(String(info.fingerprint), /^SHA256:/);
        const st = await https(`https://127.0.0.1:${c.ready.apiPort}`, 'GET', '/v1/status', { client: op });
        assert.equal(st.status, 401, 'old operators must pair again');
      } finally {
        await c.stop();
      }
      assert.ok((await readAudit(dir)).some((r) => r.event === 'identity' && /identity reset/.test(r.detail)));
    } finally {
      await cleanup();
    }
  });
}

test('id mismatch (the data partition on another board): reported in status and audit, stored id kept', async () => {
  const { dir, cleanup } = await tempDir('id-mismatch');
  try {
    const a = await startSimUnit({ dataDir: dir });
    const op = await makeOperator();
    await pairOverSerial(a.ready.serialPath, op, 'owner');
    await a.stop();
    await writeFile(join(dir, 'sim-board', 'serial'), '00c0ffee00c0ffee\n');
    const b = await startSimUnit({ dataDir: dir });
    try {
      assert.equal(b.ready.id, a.ready.id, 'never silently overwritten');
      const s = deviceStatus.parse(JSON.parse((await https(`https://127.0.0.1:${b.ready.apiPort}`, 'GET', '/v1/status', { client: op })).body));
      assert.equal(s.identity.state, 'id-mismatch');
      assert.ok(s.identity.message?.includes(a.ready.id) && s.identity.message.includes(uuidV5('00c0ffee00c0ffee')), s.identity.message ?? '');
      assert.equal((await readFile(join(dir, 'identity', 'unit-id'), 'utf8')).trim(), a.ready.id);
    } finally {
      await b.stop();
    }
    assert.ok((await readAudit(dir)).some((r) => r.event === 'identity' && r.detail.includes('does not match')));
  } finally {
    await cleanup();
  }
});

test('hardware serial: cpuinfo Serial, else device-tree, else machine-id with a warning', async () => {
  const { dir, cleanup } = await tempDir('hw');
  try {
    await mkdir(join(dir, 'proc'), { recursive: true });
    await mkdir(join(dir, 'sys/firmware/devicetree/base'), { recursive: true });
    await mkdir(join(dir, 'etc'), { recursive: true });
    await writeFile(join(dir, 'etc/machine-id'), 'ABCDEF0123456789abcdef0123456789\n');
    assert.deepEqual(await readHardwareSerial(dir), { serial: 'abcdef0123456789abcdef0123456789', source: 'machine-id', warning: 'no SoC serial found; the unit id comes from /etc/machine-id, which cloned images share' });
    await writeFile(join(dir, 'sys/firmware/devicetree/base/serial-number'), 'dt-0042\0');
    assert.equal((await readHardwareSerial(dir)).source, 'devicetree');
    assert.equal((await readHardwareSerial(dir)).serial, 'dt-0042');
    await writeFile(join(dir, 'proc/cpuinfo'), 'processor\t: 0\nHardware\t: BCM2835\nSerial\t\t: 10000000DEADBEEF\nModel\t: x\n');
    assert.deepEqual(await readHardwareSerial(dir), { serial: '10000000deadbeef', source: 'cpuinfo', warning: null });
    await writeFile(join(dir, 'proc/cpuinfo'), 'Serial\t\t: 0000000000000000\n');
    assert.equal((await readHardwareSerial(dir)).source, 'devicetree', 'an all-zero serial is no serial');
    assert.equal(uuidV5('10000000deadbeef'), uuidV5('10000000deadbeef'));
    assert.match(uuidV5('10000000deadbeef'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  } finally {
    await cleanup();
  }
});

test('audit log: identical refusals are counted and summarised per window, a torn last line is skipped', async () => {
  const { dir, cleanup } = await tempDir('audit');
  try {
    await mkdir(join(dir, 'audit'));
    await writeFile(join(dir, 'audit', 'audit.jsonl'), '{"time":"2026-01-01T00:00:00.000Z","seq":41,"event":"pair","outcome":"ok","operatorFingerprint":null,"role":null,"via":"usb","detail":"x"}\n{"time":"20');
    const log = await openAuditLog(dir, silentLogger, { windowMs: 300 });
    for (let i = 0; i < 5000; i++) {
      log.refuse('unauthenticated|GET /v1/status', { event: 'refuse', outcome: 'refused', operatorFingerprint: `SHA256:${String(i % 7).padStart(43, 'A')}`, role: null, via: 'network', detail: 'unauthenticated: GET /v1/status' });
    }
    await new Promise((r) => setTimeout(r, 450));
    await log.close();
    const lines = (await readFile(join(dir, 'audit', 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean);
    assert.equal(lines.length, 2, 'refusals are kept apart from the security records');
    const refusals = (await readFile(join(dir, 'audit', 'refusals.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const recs = refusals.map((l) => JSON.parse(l) as { seq: number; detail: string });
    assert.equal(recs.length, 2, refusals.join('\n'));
    assert.deepEqual(recs.map((r) => r.seq), [42, 43]);
    assert.match(recs[1]!.detail, /^4999 more identical refusal\(s\)/);

    // What GET /v1/audit serves: the torn line and a foreign line skipped, paged by seq.
    await writeFile(join(dir, 'audit', 'audit.jsonl'), `${lines.join('\n')}\n{"seq":44,"event":"nonsense"}\n`);
    const again = await openAuditLog(dir, silentLogger, { windowMs: 300 });
    await again.write({ event: 'identity', outcome: 'ok', operatorFingerprint: null, role: null, via: 'boot', detail: 'y' });
    const read = async (after: number, limit: number) => {
      const out: number[] = [];
      for await (const r of again.read(after, limit)) out.push(r.seq);
      return out;
    };
    assert.deepEqual(await read(0, 100), [41, 42, 43, 45]);
    assert.deepEqual(await read(41, 2), [42, 43]);
    assert.deepEqual(await read(45, 100), []);
    assert.deepEqual(await read(0, 1), [41]);
    await again.close();
  } finally {
    await cleanup();
  }
});
