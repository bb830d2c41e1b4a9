import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type Agent } from 'node:https';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, sessionMeta, type SessionMeta } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, operatorAgent, pairOverSerial, type OperatorCreds } from '../../helpers/https-client.js';
import { listSessions } from '../../helpers/sessions.js';
import { pick, prng } from '../../helpers/prng.js';

const CANARY = 'CANARY-outside-the-sessions-dir-7f3a';
const ALLOWED = new Set([200, 204, 206, 400, 403, 404, 405, 409, 413, 415, 416]);

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let agent: Agent;
let session: SessionMeta;
let file: Buffer;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer`)));
    req.end(body);
  });
}

before(async () => {
  data = await tempDir('sessions-fuzz');
  unit = await startSimUnit({ dataDir: data.dir, speed: 20, extraArgs: ['--no-auto-session'] });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('owner');
  await pairOverSerial(unit.ready.serialPath, owner, 'owner');
  agent = operatorAgent(owner, 16);
  // Files next to the sessions dir that no request may ever return.
  await writeFile(join(data.dir, 'secret.pws'), CANARY);
  await writeFile(join(data.dir, 'sessions', 'stray.pws'), CANARY);
  await new Promise((r) => setTimeout(r, 1000)); // a first fix
  assert.equal((await https(base, 'POST', '/v1/sessions/start', { client: owner })).status, 201);
  await new Promise((r) => setTimeout(r, 1500));
  const stopped = await https(base, 'POST', '/v1/sessions/stop', { client: owner });
  session = sessionMeta.parse(JSON.parse(stopped.body));
  file = await readFile(join(data.dir, 'sessions', `${session.id}.pws`));
});

after(async () => {
  agent?.destroy();
  await unit?.stop();
  await data?.cleanup();
});

function fuzzId(rand: () => number): string {
  const id = session.id;
  const pieces = [
    '..', '%2e%2e', '%252e%252e', '..%2f', '%2F', '%5c', '..\\', '%00', 'secret', 'stray', '.pws', '.json', 'identity', 'unit.key', '~', '%',
    id, id.slice(0, -1), id.toUpperCase(), `${id}.pws`, `${id}%00`, `${id}.json`, 'x'.repeat(300), '%C0%AE', '%E2%80%AE', '20240518T020005Z-zzzzzz', '-', '.', ' ',
  ];
  let s = '';
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) s += pick(rand, pieces) + (rand() < 0.3 ? '%2f' : rand() < 0.2 ? '/' : '');
  return s.replace(/ /g, '%20');
}

function fuzzRange(rand: () => number): string {
  const n = () => String(pick(rand, [0, 1, 7, file.length - 1, file.length, file.length + 1, 2 ** 53, 1e20, -1, Math.floor(rand() * file.length)]));
  const shapes = [
    () => `bytes=${n()}-${n()}`,
    () => `bytes=${n()}-`,
    () => `bytes=-${n()}`,
    () => `bytes=${n()}-${n()},${n()}-${n()}`,
    () => `bytes = ${n()}-${n()}`,
    () => `bytes=${'9'.repeat(1 + Math.floor(rand() * 40))}-`,
    () => `items=${n()}-${n()}`,
    () => `bytes=${n()}--${n()}`,
    () => `bytes=0x10-0x20`,
    () => `bytes=`,
    () => Buffer.from([...Array(12)].map(() => 32 + Math.floor(rand() * 95))).toString('latin1'),
  ];
  return pick(rand, shapes)();
}

function fuzzConfirmBody(rand: () => number): { body: string; type: string } {
  const sha = session.sha256!;
  const bodies = [
    () => JSON.stringify({ sha256: sha.slice(0, 63) }),
    () => JSON.stringify({ sha256: sha.toUpperCase() }),
    () => JSON.stringify({ sha256: `${sha}0` }),
    () => JSON.stringify({ sha256: 'f'.repeat(64) }),
    () => JSON.stringify({ sha256: sha, extra: 1 }),
    () => JSON.stringify({ sha256: [sha] }),
    () => JSON.stringify({ sha256: null }),
    () => JSON.stringify([sha]),
    () => JSON.stringify(sha),
    () => '{"sha256":',
    () => 'x'.repeat(70_000),
    () => JSON.stringify({ sha256: 'a'.repeat(100_000) }),
    () => '',
    () => JSON.stringify({ ['__proto__']: { sha256: sha } }),
  ];
  return { body: pick(rand, bodies)(), type: rand() < 0.9 ? 'application/json' : pick(rand, ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) };
}

test('a few thousand fuzzed ids, Range headers and confirm bodies: no crash, no 5xx, nothing read outside the sessions dir', async () => {
  const rand = prng(0x5e55);
  const statuses = new Map<number, number>();
  let requests = 0;
  const one = async () => {
    const kind = rand();
    let res: Raw;
    let path: string;
    if (kind < 0.35) {
      path = `/v1/sessions/${fuzzId(rand)}`;
      res = await raw('GET', path, rand() < 0.5 ? { range: fuzzRange(rand) } : {});
    } else if (kind < 0.7) {
      path = `/v1/sessions/${session.id}`;
      res = await raw('GET', path, { range: fuzzRange(rand) });
    } else if (kind < 0.9) {
      const { body, type } = fuzzConfirmBody(rand);
      path = `/v1/sessions/${rand() < 0.7 ? session.id : fuzzId(rand)}/confirm`;
      res = await raw('POST', path, { 'content-type': type }, body);
    } else {
      path = `/v1/sessions/${rand() < 0.5 ? session.id : fuzzId(rand)}`;
      res = await raw('DELETE', path, {});
    }
    requests++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    assert.ok(ALLOWED.has(res.status), `${path}: status ${res.status} ${res.body.toString('utf8', 0, 200)}`);
    assert.ok(!res.body.includes(CANARY), `${path} returned a file outside the sessions`);
    if (res.status === 200 && res.headers['content-type'] === 'application/octet-stream') assert.ok(res.body.equals(file), path);
    else if (res.status === 206) assert.ok(file.indexOf(res.body) >= 0 && res.body.length > 0, path);
    else if (res.status >= 400) apiError.parse(JSON.parse(res.body.toString('utf8')));
  };
  for (let batch = 0; batch < 200; batch++) await Promise.all(Array.from({ length: 16 }, one));
  process.stdout.write(`# ${requests} requests: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}\n`);
  assert.equal(requests, 3200);
  assert.equal(unit.process.exitCode, null, 'the unit is still running');
  assert.equal((await https(base, 'GET', '/v1/status', { client: owner })).status, 200);
  const listed = await listSessions(base, owner);
  assert.deepEqual(listed.map((m) => m.id), [session.id], 'the stray file is not a session; nothing deleted');
  assert.equal(listed[0]!.confirmed, false, 'no fuzzed body confirmed the session');
  assert.equal(await readFile(join(data.dir, 'secret.pws'), 'utf8'), CANARY);
  assert.ok((await readFile(join(data.dir, 'sessions', `${session.id}.pws`))).equals(file));
});
