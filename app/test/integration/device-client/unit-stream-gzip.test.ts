import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { createServer, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { createSelfSignedCertificate, generateEd25519 } from '../../../src/identity/operator-certificate.js';
import { MAX_GZIP_RATIO, streamGet } from '../../../src/diagnostics/unit-stream.js';
import { UnitRequestError } from '../../../src/device-client/http-client.js';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';

/**
 * A log stream the unit may send gzip-compressed: undone before the consumer sees it, with the
 * consumer's backpressure; a corrupt, cut or bomb-like body, or an encoding not asked for, is a
 * clear error and the consumer gets no byte past what decompressed cleanly.
 */
let server: Server;
let target = '';
const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();

before(async () => {
  const keys = await generateEd25519();
  const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
  server = createServer({ key: key.export({ type: 'pkcs8', format: 'pem' }), cert: await createSelfSignedCertificate(keys, 'stream test') }, (req, res) => answer(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  agent.destroy();
  server.closeAllConnections();
  server.close();
});

const NDJSON = Buffer.from(Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ seq: i + 1, msg: `fix satellites ${i % 17} lap ${i % 5}` })).join('\n') + '\n');

/** Sends `body` with `encoding` in pieces of `piece` bytes. */
function serve(body: Buffer, encoding: string | null, piece = 7_919): void {
  answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', ...(encoding ? { 'content-encoding': encoding } : {}) });
    for (let at = 0; at < body.length; at += piece) res.write(body.subarray(at, at + piece));
    res.end();
  };
}

/** Everything the consumer got, and how the stream ended. */
async function fetchAll(gzip: boolean, slowEvery = 0): Promise<{ got: Buffer; error: UnitRequestError | null; accept: string }> {
  let accept = '';
  const inner = answer;
  answer = (req, res) => {
    accept = String(req.headers['accept-encoding']);
    inner(req, res);
  };
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    await streamGet(target, '/v1/logs', { agent, gzip, idleMs: 5000 }, (c) => {
      chunks.push(c);
      // Now and then the consumer is behind: the stream must wait, and lose nothing.
      if (slowEvery > 0 && ++n % slowEvery === 0) return new Promise((r) => setTimeout(r, 5));
    });
    return { got: Buffer.concat(chunks), error: null, accept };
  } catch (err) {
    assert.ok(err instanceof UnitRequestError, `a UnitRequestError, not ${String(err)}`);
    return { got: Buffer.concat(chunks), error: err, accept };
  } finally {
    answer = inner;
  }
}

test('gzip asked and sent: the consumer gets the NDJSON as it was, with backpressure; plain still works', async () => {
  serve(gzipSync(NDJSON, { level: 1 }), 'gzip');
  const gz = await fetchAll(true, 3);
  assert.equal(gz.error, null);
  assert.equal(gz.accept, 'gzip');
  assert.ok(gz.got.equals(NDJSON));
  // Several gzip members one after the other (a unit compressing piece by piece) are one stream.
  const half = NDJSON.indexOf(10, NDJSON.length >> 1) + 1;
  serve(Buffer.concat([gzipSync(NDJSON.subarray(0, half)), gzipSync(NDJSON.subarray(half))]), 'gzip', 1_000);
  assert.ok((await fetchAll(true)).got.equals(NDJSON));
  // A unit without compression answers plain to a companion that asked for gzip.
  serve(NDJSON, null);
  assert.ok((await fetchAll(true)).got.equals(NDJSON));
  const plain = await fetchAll(false);
  assert.equal(plain.accept, 'identity');
  assert.ok(plain.got.equals(NDJSON));
});

test('an encoding that was not asked for is refused before any byte reaches the consumer', async () => {
  for (const [encoding, gzip] of [['gzip', false], ['br', true], ['deflate', true], ['x-unknown', true]] as const) {
    serve(gzipSync(NDJSON), encoding);
    const r = await fetchAll(gzip);
    assert.match(r.error?.message ?? '', /in an encoding it was not asked for/, `${encoding}, gzip asked: ${gzip}`);
    assert.equal(r.error?.kind, 'not-a-unit');
    assert.equal(r.got.length, 0);
  }
});

test('corrupt or cut gzip: a clear error; a cut stream gives the consumer a clean prefix', async () => {
  const z = gzipSync(NDJSON, { level: 1 });
  const flipped = Buffer.from(z);
  for (let i = z.length >> 1; i < (z.length >> 1) + 64; i++) flipped[i]! ^= 0x5a;
  // Flipped bytes may inflate to junk before the checksum at the end says so: the consumer is the
  // staging, whose lines are validated one by one, and nothing of a failed stream is confirmed.
  const cases: [string, Buffer, boolean][] = [
    ['flipped bytes', flipped, false],
    ['not gzip at all', NDJSON.subarray(0, 50_000), false],
    ['cut short with a clean HTTP end', z.subarray(0, z.length - 1000), true],
    ['no trailer', z.subarray(0, z.length - 8), true],
  ];
  for (const [name, body, prefix] of cases) {
    serve(body, 'gzip');
    const r = await fetchAll(true);
    assert.match(r.error?.message ?? '', /corrupt gzip/, name);
    assert.equal(r.error?.kind, 'not-a-unit');
    if (prefix) assert.ok(NDJSON.subarray(0, r.got.length).equals(r.got), `${name}: what got through is a prefix of the stream`);
  }
});

test(`a body that inflates more than ${MAX_GZIP_RATIO}:1 (a deflate bomb) is stopped early`, async () => {
  serve(gzipSync(Buffer.alloc(128 * 1024 * 1024, 0x0a), { level: 9 }), 'gzip');
  const r = await fetchAll(true);
  assert.match(r.error?.message ?? '', /compressed more than 200:1/);
  assert.ok(r.got.length < 64 * 1024 * 1024, `stopped after ${r.got.length} bytes, not 128 MiB`);
});

test('fuzz: damaged gzip always ends as a clear error or the whole intact stream, never a hang or a crash', async () => {
  const rand = seededRandom(5);
  const z = gzipSync(NDJSON.subarray(0, 200_000));
  for (let i = 0; i < 40; i++) {
    const body = Buffer.from(z.subarray(0, Math.floor(rand() * z.length)));
    for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
    serve(body, 'gzip', 1 + Math.floor(rand() * 5000));
    const r = await fetchAll(true, 1 + Math.floor(rand() * 4));
    if (r.error === null) assert.ok(NDJSON.subarray(0, r.got.length).equals(r.got), `case ${i}: a stream accepted whole is the one sent`);
    else assert.equal(r.error.kind, 'not-a-unit', `case ${i}: ${r.error.message}`);
  }
});
