import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  FIRMWARE_COMMIT_HEADER,
  FIRMWARE_VERSION_HEADER,
  apiError,
  deviceInfo,
  deviceStatus,
  liveFix,
  helloResult,
} from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { collectSse } from '../../helpers/sse-client.js';
import { SerialRpcClient } from '../../helpers/serial-rpc-client.js';
import { tempDir } from '../../helpers/paths.js';
import { prng, pick } from '../../helpers/prng.js';
import { https, makeOperator, operatorAgent, pairOverSerial, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import type { Agent } from 'node:https';

// Outside a network namespace the unit must not multicast onto the machine's interfaces.
const NO_MDNS = ['--no-mdns'];

let unit: SimUnit;
let dataDir: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let agent: Agent;

before(async () => {
  dataDir = await tempDir('api');
  unit = await startSimUnit({ dataDir: dataDir.dir, name: 'API Test Unit', speed: 5, extraArgs: NO_MDNS });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('api owner');
  await pairOverSerial(unit.ready.serialPath, owner, 'owner');
  agent = operatorAgent(owner, 50);
});

after(async () => {
  agent?.destroy();
  await unit?.stop();
  await dataDir?.cleanup();
});

/** An authenticated call as the paired owner, over a keep-alive mTLS connection. */
function http(method: string, path: string, headers: Record<string, string> = {}): Promise<Res> {
  return https(base, method, path, { headers, agent });
}

function assertFirmwareHeaders(res: Res, what: string): void {
  assert.equal(res.headers[FIRMWARE_VERSION_HEADER], '0.1.0', `${what}: version header`);
  assert.match(String(res.headers[FIRMWARE_COMMIT_HEADER]), /^([0-9a-f]{7}|unknown)$/, `${what}: commit header`);
}

test('ready line: id, api port, and a companion-side serial path that exists', () => {
  assert.match(unit.ready.id, /^[0-9a-f-]{36}$/);
  assert.ok(unit.ready.apiPort > 0);
  assert.ok(existsSync(unit.ready.serialPath), unit.ready.serialPath);
  assert.equal(unit.output.filter((l) => l.trim().startsWith('{')).length, 0, 'only the ready line is JSON on stdout');
});

test('GET /v1/info validates against DeviceInfo and carries firmware headers', async () => {
  const res = await http('GET', '/v1/info');
  assert.equal(res.status, 200);
  assertFirmwareHeaders(res, 'info');
  const info = deviceInfo.parse(JSON.parse(res.body));
  assert.equal(info.id, unit.ready.id);
  assert.equal(info.name, 'API Test Unit');
  assert.equal(info.model, 'PW-1 (sim)');
  assert.equal(info.firmware.version, res.headers[FIRMWARE_VERSION_HEADER]);
  assert.equal(info.firmware.commit, res.headers[FIRMWARE_COMMIT_HEADER]);
});

test('GET /v1/status validates against DeviceStatus and reaches a 3d fix', async () => {
  let status = deviceStatus.parse(JSON.parse((await http('GET', '/v1/status')).body));
  const deadline = Date.now() + 5000;
  while (status.gnss.fix !== '3d' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    status = deviceStatus.parse(JSON.parse((await http('GET', '/v1/status')).body));
  }
  assert.equal(status.gnss.fix, '3d');
  assert.ok(status.gnss.satellites > 0);
  assert.ok(status.gnss.timeToFirstFixS !== null);
  assert.ok(status.gnss.position !== null);
  assert.ok(status.uptimeS >= 0);
  assert.equal(status.id, unit.ready.id);
});

test('errors are JSON ApiError with firmware headers: 404, 400, 405', async () => {
  const notFound = await http('GET', '/v2/nothing');
  assert.equal(notFound.status, 404);
  assertFirmwareHeaders(notFound, '404');
  assert.equal(apiError.parse(JSON.parse(notFound.body)).error.code, 'not-found');

  const badParam = await http('GET', '/v1/live?maxHz=abc');
  assert.equal(badParam.status, 400);
  assertFirmwareHeaders(badParam, '400');
  assert.match(apiError.parse(JSON.parse(badParam.body)).error.message, /maxHz/);

  const unknownParam = await http('GET', '/v1/info?bogus=1');
  assert.equal(unknownParam.status, 400);
  assert.equal(apiError.parse(JSON.parse(unknownParam.body)).error.code, 'bad-request');

  const wrongMethod = await http('POST', '/v1/status');
  assert.equal(wrongMethod.status, 405);
  assertFirmwareHeaders(wrongMethod, '405');
  assert.equal(apiError.parse(JSON.parse(wrongMethod.body)).error.code, 'method-not-allowed');

  const badUrl = await http('GET', '/v1/%E0%A4%A');
  assert.ok(badUrl.status === 400 || badUrl.status === 404, `status ${badUrl.status}`);
  assertFirmwareHeaders(badUrl, 'bad url');
  apiError.parse(JSON.parse(badUrl.body));
});

test('GET /v1/live streams LiveFix events whose speed changes, with headers', async () => {
  const { events, headers } = await collectSse(`${base}/v1/live`, 'fix', 30, 5000, owner);
  assert.equal(headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(headers[FIRMWARE_VERSION_HEADER], '0.1.0');
  const fixes = events.filter((e) => e.event === 'fix').map((e) => liveFix.parse(JSON.parse(e.data)));
  assert.equal(fixes.length, 30);
  const speeds = new Set(fixes.map((f) => f.speedMps));
  assert.ok(speeds.size > 5, `speed should change, saw ${[...speeds].join(', ')}`);
  const times = fixes.map((f) => Date.parse(f.time));
  assert.ok(times.every((t, i) => i === 0 || t > (times[i - 1] as number)));
});

test('GET /v1/live?maxHz=2 throttles the stream', async () => {
  const started = Date.now();
  const { events } = await collectSse(`${base}/v1/live?maxHz=2`, 'fix', 3, 5000, owner);
  const elapsed = Date.now() - started;
  // 3 events at 2 Hz need at least ~1 s (the recording runs at 50 fixes/s here).
  assert.ok(elapsed >= 900, `3 events in ${elapsed} ms`);
  // The stream also carries lap timing (throttled the same way) and laps.
  assert.equal(events.filter((e) => e.event === 'fix').length, 3);
  assert.ok(events.filter((e) => e.event === 'timing').length <= 4);
});

test('the USB serial end from the ready line answers hello', async () => {
  const client = await SerialRpcClient.open(unit.ready.serialPath);
  try {
    const r = await client.call(1, 'hello');
    assert.ok('result' in r);
    assert.equal(helloResult.parse(r.result).id, unit.ready.id);
  } finally {
    await client.close();
  }
});

test('fuzz: 3000 random paths, query strings, methods and headers never crash the unit', async () => {
  const rand = prng(2024);
  const paths = ['/v1/info', '/v1/status', '/v1/live', '/v1', '/', '/v1/info/', '//v1/info', '/v1/../v1/info', '/%00', '/v1/%ZZ', '/v1/info%20', '/' + 'a'.repeat(2000)];
  const queries = ['', '?', '?maxHz=', '?maxHz=-1', '?maxHz=1e999', '?maxHz=0', '?maxHz=101', '?maxHz=1&maxHz=2', '?a[b]=1', '?%zz', '?__proto__=1', '?constructor=x'];
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  const chars = 'abcXYZ019%/?&=.;:_-~!$\'()*+,[]{}|^`"<>\\ ';
  let statuses = new Map<number, number>();
  const batch: Promise<void>[] = [];
  for (let i = 0; i < 3000; i++) {
    let path = pick(rand, paths) + pick(rand, queries);
    if (rand() < 0.3) path += Array.from({ length: Math.floor(rand() * 20) }, () => encodeURIComponent(pick(rand, [...chars]))).join('');
    const method = pick(rand, methods);
    const headers: Record<string, string> = {};
    if (rand() < 0.3) headers['accept'] = pick(rand, ['*/*', 'text/event-stream', 'application/json', '']);
    if (rand() < 0.2) headers['x-junk'] = 'z'.repeat(Math.floor(rand() * 500));
    if (rand() < 0.1) headers['content-type'] = pick(rand, ['application/json', 'text/plain', 'multipart/form-data']);
    if (path.startsWith('/v1/live') && method === 'GET') continue; // streams never end by themselves
    batch.push(
      http(method, path, headers).then((res) => {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${method} ${path} -> ${res.status} ${res.body}`);
        if (method !== 'HEAD') assertFirmwareHeaders(res, `${method} ${path}`);
        if (res.status >= 400 && method !== 'HEAD') apiError.parse(JSON.parse(res.body));
      }),
    );
    if (batch.length >= 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(404) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
  statuses = new Map();
  const still = await http('GET', '/v1/info');
  assert.equal(still.status, 200);
  assert.equal(unit.process.exitCode, null);
});

test('SIGTERM stops the unit within 2 s with exit 0, cleans its links, and the id survives a restart', async () => {
  const { dir, cleanup } = await tempDir('restart');
  try {
    const first = await startSimUnit({ dataDir: dir, speed: 5, extraArgs: NO_MDNS });
    const op = await makeOperator();
    await pairOverSerial(first.ready.serialPath, op, 'owner');
    // an SSE client stays connected across the stop
    const sse = collectSse(`https://127.0.0.1:${first.ready.apiPort}/v1/live`, 'fix', 1_000_000, 10_000, op).catch((err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const code = await first.stop('SIGTERM');
    const took = Date.now() - t0;
    assert.equal(code, 0, first.output.join(''));
    assert.ok(took < 2000, `stop took ${took} ms`);
    assert.equal(existsSync(first.ready.serialPath), false, 'socat removed the serial link');
    assert.match(String(await sse), /stream ended/, 'the unit closed the live stream on shutdown');
    const second = await startSimUnit({ dataDir: dir, speed: 5, extraArgs: NO_MDNS });
    try {
      assert.equal(second.ready.id, first.ready.id);
    } finally {
      assert.equal(await second.stop('SIGINT'), 0);
    }
  } finally {
    await cleanup();
  }
});
