// ADVERSARIAL.md, Wires and input: "memory and disk stay bounded; other services keep running"
// (issue 10, finding 6): the connection guard's rules on a bare TLS server, one by one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import { guardConnections, connectionLimitsFor, type ConnectionGuard } from '../../../src/api/connection-guard.js';
import { makeOperator, type OperatorCreds } from '../../helpers/https-client.js';

let server: Server;
let guard: ConnectionGuard;
let port: number;
let paired: OperatorCreds;
const open: TLSSocket[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const unitKey = await makeOperator('unit');
  paired = await makeOperator('paired');
  server = createServer({ key: unitKey.keyPem, cert: unitKey.certPem, requestCert: true, rejectUnauthorized: false });
  // "Paired": the client presented the paired operator's certificate.
  guard = guardConnections(server, { maxConnections: 10, maxUnprovenPerAddress: 4, unprovenIdleMs: 60_000 }, (tls) => tls.getPeerCertificate()?.raw?.equals(Buffer.from(paired.certPem.split('\n').filter((l) => !l.startsWith('-----')).join(''), 'base64')) ?? false);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  for (const s of open) s.destroy();
  await new Promise((r) => server.close(r));
});

/** A TLS connection from `from`; resolves with the socket once handshaken, or null when the server dropped it. */
function connect(from: string, client?: OperatorCreds): Promise<TLSSocket | null> {
  return new Promise((resolve) => {
    const s = tlsConnect({ socket: tcpConnect({ host: '127.0.0.1', port, localAddress: from }), rejectUnauthorized: false, ...(client ? { key: client.keyPem, cert: client.certPem } : {}) });
    s.on('error', () => resolve(null));
    s.once('close', () => resolve(null));
    s.once('secureConnect', () => {
      open.push(s);
      resolve(s);
    });
  });
}
const alive = (s: TLSSocket | null) => s !== null && !s.destroyed;

test('connection caps: per-address cap on strangers, the oldest stranger evicted at the total cap, paired connections kept', async () => {
  const first = await connect('127.0.0.2');
  for (let i = 0; i < 3; i++) assert.ok(await connect('127.0.0.2'));
  assert.equal(await connect('127.0.0.2'), null, 'a fifth stranger from one address is refused');
  const mine = await Promise.all([connect('127.0.0.1', paired), connect('127.0.0.1', paired)]);
  assert.ok(mine.every(alive));
  for (const a of ['127.0.0.3', '127.0.0.3', '127.0.0.3', '127.0.0.4']) assert.ok(await connect(a));
  await sleep(100);
  assert.deepEqual(guard.stats(), { open: 10, proven: 2 });
  // At the cap: a newcomer (stranger or operator) gets in; the oldest stranger makes room.
  const newcomer = await connect('127.0.0.5');
  await sleep(100);
  assert.ok(alive(newcomer));
  assert.ok(!alive(first), 'the oldest stranger was evicted');
  assert.ok(mine.every(alive), 'paired connections are never evicted');
  const third = await connect('127.0.0.1', paired);
  await sleep(100);
  assert.ok(alive(third));
  assert.ok(mine.every(alive));
  assert.equal(guard.stats().open, 10);
});

test('connection caps from the file limit: half the descriptors at most, never fewer than 8', () => {
  assert.equal(connectionLimitsFor(1024).maxConnections, 512);
  assert.equal(connectionLimitsFor(10).maxConnections, 8);
  assert.equal(connectionLimitsFor(1_048_576).maxConnections, 1024);
  assert.equal(connectionLimitsFor(Infinity).maxConnections, 1024);
});
