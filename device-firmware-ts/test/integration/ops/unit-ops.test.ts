import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { crashDump, crashList, healthList, logBootList, logRecord, FIRMWARE_COMMIT_HEADER, type CrashKind, type LogRecord } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, operatorAgent, pairOverSerial, type OperatorCreds } from '../../helpers/https-client.js';
import { prng, pick } from '../../helpers/prng.js';

const PLANTED = 'Pl4nted-Env-Secret-77';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let data: { dir: string; cleanup: () => Promise<void> };
let unit: SimUnit | null = null;
let owner: OperatorCreds;
let base = '';

async function boot(): Promise<SimUnit> {
  const u = await startSimUnit({
    dataDir: data.dir,
    speed: 20,
    extraArgs: ['--health-interval', '0.5', '--hang-timeout', '2'],
    env: { NODE_OPTIONS: '--max-old-space-size=160', PITWALL_TEST_PASSWORD: PLANTED },
  });
  base = `https://127.0.0.1:${u.ready.apiPort}`;
  unit = u;
  return u;
}

const get = async (path: string) => {
  const res = await https(base, 'GET', path, { client: owner, timeoutMs: 15000 });
  assert.equal(res.status, 200, `${path}: ${res.body}`);
  assert.ok(res.headers[FIRMWARE_COMMIT_HEADER], 'fingerprint header');
  return res.body;
};
const records = (ndjson: string): LogRecord[] => ndjson.split('\n').filter(Boolean).map((l) => logRecord.parse(JSON.parse(l)) as LogRecord);
const waitExit = (u: SimUnit, ms = 15000) =>
  new Promise<number | null>((resolve, reject) => {
    if (u.process.exitCode !== null || u.process.signalCode !== null) return resolve(u.process.exitCode);
    const t = setTimeout(() => reject(new Error(`unit did not exit: ${u.output.join('').slice(-2000)}`)), ms);
    u.process.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });

async function bootLogs(bootId: string): Promise<LogRecord[]> {
  return records(await get(`/v1/logs?boot=${bootId}`));
}

before(async () => {
  data = await tempDir('unit-ops');
  owner = await makeOperator('owner');
  await boot();
  await pairOverSerial(unit!.ready.serialPath, owner, 'owner');
});

after(async () => {
  await unit?.stop('SIGKILL');
  await data?.cleanup();
});

test('every record of a unit run matches the protocol LogRecord; boot stages with durations; seq continuous', async () => {
  await sleep(1200);
  const boots = logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots;
  assert.equal(boots.length, 1);
  const recs = await bootLogs(boots[0]!.boot);
  assert.deepEqual(recs.map((r) => r.seq), recs.map((_, i) => i + 1));
  for (const r of recs) assert.equal(r.unit, unit!.ready.id);
  const stages = recs.filter((r) => typeof r.stage === 'string' && typeof r.durationMs === 'number').map((r) => r.stage);
  for (const s of ['identity', 'audit', 'gpio', 'gnss-source', 'gnss-reader', 'api', 'serial', 'boot']) assert.ok(stages.includes(s), `stage ${s}: ${stages.join(',')}`);
  const page = records(await get(`/v1/logs?boot=${boots[0]!.boot}&after=3&limit=4`));
  assert.deepEqual(page.map((r) => r.seq), [4, 5, 6, 7]);
  for (const q of ['after=1e999', 'limit=1e999', 'after=-1e999', `after=${2 ** 53}`, 'after=x', 'limit=0']) {
    const res = await https(base, 'GET', `/v1/logs?boot=${boots[0]!.boot}&${q}`, { client: owner });
    assert.equal(res.status, 400, `${q}: ${res.body}`);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'bad-request');
  }
  const confirm = await https(base, 'POST', '/v1/logs/confirm', { client: owner, body: { boot: boots[0]!.boot, seq: 5 } });
  assert.equal(confirm.status, 200, confirm.body);
  assert.equal(logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots[0]!.confirmedSeq, 5);
});

test('logs come gzip-compressed when the client accepts gzip: the same records once decompressed', async () => {
  const boot = logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots[0]!.boot;
  const path = `/v1/logs?boot=${boot}&after=0&limit=20`;
  const plain = await https(base, 'GET', path, { client: owner });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  for (const accept of ['gzip', 'deflate, gzip;q=0.5', 'GZIP']) {
    const gz = await https(base, 'GET', path, { client: owner, headers: { 'accept-encoding': accept } });
    assert.equal(gz.headers['content-encoding'], 'gzip', accept);
    assert.match(String(gz.headers.vary), /accept-encoding/i);
    assert.equal(gunzipSync(gz.raw).toString('utf8'), plain.body, `${accept}: the same bytes`);
  }
  for (const accept of ['identity', 'gzip;q=0', 'br', 'x-gzipped']) {
    const res = await https(base, 'GET', path, { client: owner, headers: { 'accept-encoding': accept } });
    assert.equal(res.headers['content-encoding'], undefined, accept);
    assert.equal(res.body, plain.body, accept);
  }
});

test('health snapshots: served since a time, fingerprinted; low disk stops debug logging and raises a warning', async () => {
  const t0 = new Date().toISOString();
  await sleep(1300);
  const snaps = healthList.parse(JSON.parse(await get(`/v1/health?since=${encodeURIComponent(t0)}`))).snapshots;
  assert.ok(snaps.length >= 1, 'a snapshot since t0');
  for (const s of snaps) {
    assert.ok(s.time >= t0);
    assert.equal(s.unit, unit!.ready.id);
    assert.ok(s.fw && s.commit && s.boot);
    assert.equal(s.socTempC, 47.5, 'the sim thermal zone');
    const rate = s.imu.sampleRateHz;
    assert.ok(rate !== null && Math.abs(rate - 100) <= 5, `the IMU's measured rate near the configured 100 Hz: ${rate}`);
  }
  assert.equal(await simGpioCommand(data.dir, 'disk-free 1000'), 'ok');
  await sleep(1300);
  const low = healthList.parse(JSON.parse(await get('/v1/health'))).snapshots.at(-1)!;
  assert.ok(low.warnings.includes('disk-low') && low.warnings.includes('debug-logging-stopped'), low.warnings.join(','));
  const bootId = low.boot;
  const since = (await bootLogs(bootId)).find((r) => /debug logging stopped/.test(r.msg))!;
  assert.ok(since, 'the stop is logged');
  await sleep(1200);
  assert.ok(!(await bootLogs(bootId)).some((r) => r.seq > since.seq && (r.level === 'debug' || r.level === 'trace')), 'no debug records while low');
  assert.equal(await simGpioCommand(data.dir, 'disk-free real'), 'ok');
  await sleep(1200);
  assert.ok((await bootLogs(bootId)).some((r) => r.seq > since.seq && r.level === 'debug'), 'debug resumes');
});

test('fuzzed query params and bodies on the new endpoints never crash the unit', async () => {
  const rand = prng(4);
  const junk = ['', 'x', '-1', '1e99', '%00', '%ff%fe', 'null', '[]', '{"a":1}', "'; drop", 'a'.repeat(3000), '00000000-0000-0000-0000-000000000000', '9'.repeat(30), '2024-13-45T99:99:99Z'];
  const agent = operatorAgent(owner);
  try {
    for (let i = 0; i < 150; i++) {
      const k = pick(rand, ['boot', 'after', 'limit', 'since', 'x', 'boot[]']);
      const path = pick(rand, ['/v1/logs', '/v1/logs/boots', '/v1/health', '/v1/crashes', `/v1/crashes/${encodeURIComponent(pick(rand, junk))}`]);
      const q = `${k}=${encodeURIComponent(pick(rand, junk))}&${pick(rand, ['after', 'limit'])}=${encodeURIComponent(pick(rand, junk))}`;
      const res = await https(base, 'GET', `${path}?${q}`, { agent, timeoutMs: 10000 });
      assert.ok(res.status < 500, `${path}?${q.slice(0, 80)} -> ${res.status} ${res.body.slice(0, 200)}`);
      const post = await https(base, 'POST', pick(rand, ['/v1/logs/confirm', '/v1/crashes/confirm']), {
        agent,
        body: pick(rand, ['{', '[]', '{"boot":"x","seq":-1}', '{"ids":[1,2]}', `{"ids":["${'z'.repeat(200)}"]}`, '{"boot":"00000000-0000-0000-0000-000000000000","seq":1e300}']),
        headers: { 'content-type': 'application/json' },
      });
      assert.ok(post.status < 500, `POST -> ${post.status} ${post.body.slice(0, 200)}`);
    }
  } finally {
    agent.destroy();
  }
  assert.equal(unit!.process.exitCode, null);
  assert.equal((await https(base, 'GET', '/v1/status', { client: owner })).status, 200);
});

async function injectAndReboot(what: 'crash' | 'hang' | 'oom', kind: CrashKind): Promise<void> {
  const dying = unit!;
  assert.equal(await simGpioCommand(data.dir, `inject ${what}`), 'ok');
  await waitExit(dying, 30000);
  assert.ok(dying.process.exitCode !== 0, `${what}: exits non-zero (${dying.process.exitCode} ${dying.process.signalCode})`);
  await boot();
  const list = crashList.parse(JSON.parse(await get('/v1/crashes'))).crashes;
  const c = list.find((x) => x.kind === kind);
  assert.ok(c, `${kind} dump listed: ${JSON.stringify(list)}`);
  const dump = crashDump.parse(JSON.parse(await get(`/v1/crashes/${c.id}`)));
  assert.equal(dump.unit, unit!.ready.id);
  assert.ok(dump.fw && dump.commit);
  assert.ok(dump.lastLogs.length > 0 && dump.lastLogs.length <= 500, `${kind}: ${dump.lastLogs.length} records`);
  assert.ok(dump.lastLogs.every((r) => r.boot === dump.boot));
  const text = JSON.stringify(dump);
  assert.ok(!text.toLowerCase().includes(PLANTED.toLowerCase()), `planted secret in the ${kind} dump`);
  const reason = (await bootLogs(logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots.at(-1)!.boot))[0]!;
  assert.equal(reason.rebootReason, 'crash', reason.msg);
}

test('injected crash: a dump with stack, last records and state; next boot says crash', async () => {
  await injectAndReboot('crash', 'uncaught-exception');
  const c = crashList.parse(JSON.parse(await get('/v1/crashes'))).crashes.find((x) => x.kind === 'uncaught-exception')!;
  const dump = crashDump.parse(JSON.parse(await get(`/v1/crashes/${c.id}`)));
  assert.match(dump.error.stack ?? '', /injected crash/);
  assert.ok(typeof dump.state.config === 'string' && 'gnss' in dump.state, JSON.stringify(dump.state));
  assert.ok(dump.report && typeof dump.report === 'object' && !('environmentVariables' in dump.report));
});

test('injected hang: the watchdog writes a hang dump with the main thread\'s stack at the blocking function and kills the unit', async () => {
  await injectAndReboot('hang', 'hang');
  const c = crashList.parse(JSON.parse(await get('/v1/crashes'))).crashes.find((x) => x.kind === 'hang')!;
  const dump = crashDump.parse(JSON.parse(await get(`/v1/crashes/${c.id}`)));
  assert.match(dump.error.message, / in blockEventLoop; /);
  const stack = dump.error.stack ?? '';
  assert.match(stack.split('\n')[1] ?? '', /^ {4}at blockEventLoop \(file:\/\/.*\/dist\/ops\/ops-boot\.js:\d+:\d+\)$/, stack);
  assert.match(stack, /at listOnTimeout/, 'reached from the injector\'s timer');
});

test('injected out-of-memory: the fatal-error report becomes a dump on the next boot', async () => {
  await injectAndReboot('oom', 'out-of-memory');
});

test('SIGKILL while logging: the reader skips a torn last line; next boot says unclean; a clean stop says clean', async () => {
  const killed = unit!;
  const killedBoot = logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots.at(-1)!.boot;
  await killed.stop('SIGKILL');
  // What a power cut mid-write leaves: a record cut short.
  await appendFile(join(data.dir, 'logs', 'pitwall.log'), `{"level":"debug","time":"2026-01-01T00:00:00.000Z","boot":"${killedBoot}","seq":999999,"fw":"0.1.0","msg":"cut sh`);
  await boot();
  const recs = await bootLogs(killedBoot);
  assert.ok(recs.length > 0);
  assert.deepEqual(recs.map((r) => r.seq), recs.map((_, i) => i + 1), 'the killed boot reads back whole, torn line skipped');
  const boots = logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots;
  assert.equal((await bootLogs(boots.at(-1)!.boot))[0]!.rebootReason, 'unclean');
  await unit!.stop();
  await boot();
  const again = logBootList.parse(JSON.parse(await get('/v1/logs/boots'))).boots;
  assert.equal((await bootLogs(again.at(-1)!.boot))[0]!.rebootReason, 'clean');
  const text = await readFile(join(data.dir, 'logs', 'pitwall.log'), 'utf8');
  assert.ok(!text.includes(PLANTED), 'planted secret not in the log');
  const health = await readFile(join(data.dir, 'health', 'health.jsonl'), 'utf8');
  assert.ok(!health.includes(PLANTED), 'planted secret not in health');
});

test('crash confirm marks dumps confirmed', async () => {
  const list = crashList.parse(JSON.parse(await get('/v1/crashes'))).crashes;
  const res = await https(base, 'POST', '/v1/crashes/confirm', { client: owner, body: { ids: [list[0]!.id, 'no-such-dump'] } });
  assert.equal(res.status, 200, res.body);
  const after = crashList.parse(JSON.parse(await get('/v1/crashes'))).crashes;
  assert.equal(after.find((c) => c.id === list[0]!.id)!.confirmed, true);
});
