import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { apiError } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import { tempDir } from '../../helpers/paths.js';
import { prng, pick } from '../../helpers/prng.js';
import { https, makeOperator, operatorAgent, pairOverSerial, readAudit, type OperatorCreds } from '../../helpers/https-client.js';
import { SerialRpcClient } from '../../helpers/serial-rpc-client.js';

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;

before(async () => {
  data = await tempDir('fuzz-auth');
  unit = await startSimUnit({ dataDir: data.dir, extraArgs: ['--pairing-window', '60'] });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('owner');
  await pairOverSerial(unit.ready.serialPath, owner, 'owner');
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

/** A TCP proxy to the unit that records what the client sent. */
async function recordingProxy(port: number): Promise<{ port: number; sent: Buffer[]; server: Server }> {
  const sent: Buffer[] = [];
  const server = createServer((client: Socket) => {
    const upstream = connect(port, '127.0.0.1');
    client.on('data', (d: Buffer) => {
      sent.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, sent, server };
}

test('a captured authenticated request replayed on a new connection is refused at the TLS layer', async () => {
  const victim = await makeOperator('victim');
  await pairOverSerial(unit.ready.serialPath, victim, 'staff');
  const proxy = await recordingProxy(unit.ready.apiPort);
  try {
    // The owner revokes `victim` through the proxy: a request with a visible effect (an audit record).
    const res = await https(`https://127.0.0.1:${proxy.port}`, 'DELETE', `/v1/operators/${encodeURIComponent(victim.fingerprint)}`, { client: owner, headers: { connection: 'close' } });
    assert.equal(res.status, 200, res.body);
    const captured = Buffer.concat(proxy.sent);
    assert.ok(captured.length > 500, 'captured the TLS session');
    assert.ok(!captured.includes('DELETE'), 'the capture is encrypted');
    await new Promise((r) => setTimeout(r, 100));
    const revokesBefore = (await readAudit(data.dir)).filter((r) => r.event === 'revoke').length;
    for (let i = 0; i < 3; i++) {
      const answer = await new Promise<Buffer>((resolve) => {
        const sock = connect(unit.ready.apiPort, '127.0.0.1');
        const got: Buffer[] = [];
        sock.on('connect', () => sock.write(captured));
        sock.on('data', (d: Buffer) => got.push(d));
        sock.on('error', () => {});
        sock.on('close', () => resolve(Buffer.concat(got)));
        setTimeout(() => sock.destroy(), 3000);
      });
      assert.ok(!answer.includes('HTTP/1.1 200'), 'no plaintext success');
      // A fresh server handshake (new keys) answers the replayed ClientHello; the replayed client
      // Finished cannot match it, so the server aborts with a TLS alert record (type 21).
      assert.ok(answer.includes(Buffer.from([0x15, 0x03, 0x03])) || answer.length < 2000, `answer of ${answer.length} bytes`);
    }
    await new Promise((r) => setTimeout(r, 200));
    const revokesAfter = (await readAudit(data.dir)).filter((r) => r.event === 'revoke').length;
    assert.equal(revokesAfter, revokesBefore, 'the replayed request was never executed');
    assert.equal((await https(base, 'GET', '/v1/status', { client: owner })).status, 200);
  } finally {
    proxy.server.close();
  }
});

test('fuzz: 3000 requests with garbage client certificates, headers and bodies to /v1/pairing and /v1/identity/challenge -> JSON 4xx, no crash', async () => {
  const rand = prng(1103);
  const strangers = await Promise.all(Array.from({ length: 8 }, (_, i) => makeOperator(`stranger ${i}`)));
  const agents = [operatorAgent(undefined, 8), operatorAgent(owner, 8), ...strangers.map((s) => operatorAgent(s, 2))];
  const bodies = (): string => {
    switch (Math.floor(rand() * 10)) {
      case 0:
        return '';
      case 1:
        return randomBytes(Math.floor(rand() * 300)).toString('latin1');
      case 2:
        return JSON.stringify({ operatorName: 'x'.repeat(Math.floor(rand() * 100)), role: pick(rand, ['owner', 'root', '', 'support', null]) });
      case 3:
        return JSON.stringify({ nonce: randomBytes(Math.floor(rand() * 64)).toString('base64') });
      case 4:
        return '{"__proto__":{"admin":true},"nonce":"' + 'A'.repeat(43) + '="}';
      case 5:
        return '[' + '['.repeat(500);
      case 6:
        return JSON.stringify({ operatorName: '<script>', role: 'owner', extra: 1 });
      case 7:
        return 'x'.repeat(70 * 1024);
      default:
        return JSON.stringify(pick(rand, [null, 1, 'a', {}, [], { nonce: null }, { operatorName: '', role: 'staff' }]));
    }
  };
  const statuses = new Map<number, number>();
  const batch: Promise<void>[] = [];
  await pressSimButton(data.dir, 'pair');
  for (let i = 0; i < 3000; i++) {
    const path = pick(rand, ['/v1/pairing', '/v1/identity/challenge', '/v1/pairing?x=1', '/v1/identity/challenge/', '/v1/operators/' + encodeURIComponent(randomBytes(8).toString('base64'))]);
    const method = pick(rand, ['POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT']);
    const headers: Record<string, string> = {};
    if (rand() < 0.7) headers['content-type'] = pick(rand, ['application/json', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']);
    if (rand() < 0.3) headers['authorization'] = pick(rand, ['Bearer x', 'Basic ' + randomBytes(20).toString('base64'), 'Signature keyId="a"', '']);
    if (rand() < 0.2) headers['x-client-cert'] = pick(rand, [owner.certPem.replace(/\n/g, ''), 'SHA256:' + 'A'.repeat(43)]);
    if (rand() < 0.1) headers['x-forwarded-for'] = '127.0.0.1';
    const body = method === 'GET' ? undefined : bodies();
    const agent = pick(rand, agents);
    batch.push(
      https(base, method, path, { agent, headers, body }).then((res) => {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${method} ${path} -> ${res.status} ${res.body}`);
        if (res.status >= 400) assert.ok(apiError.is(JSON.parse(res.body)), `${method} ${path} ${JSON.stringify(headers)} body ${JSON.stringify(body?.slice(0, 80))} -> ${res.status} ${res.body}`);
      }),
    );
    if (batch.length >= 64) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  for (const a of agents) a.destroy();
  assert.ok((statuses.get(401) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
  assert.equal(unit.process.exitCode, null);
  assert.equal((await https(base, 'GET', '/v1/status', { client: owner })).status, 200);
  const audit = await readAudit(data.dir);
  assert.ok(audit.length < 400, `refusals are rate-limited in the audit log (${audit.length} records)`);
});

test('fuzz: 1500 random and mutated serial pair/challenge frames never crash the unit', async () => {
  const rand = prng(77);
  const client = await SerialRpcClient.open(unit.ready.serialPath);
  try {
    const valid = { operatorName: 'Fuzz', role: 'staff', operatorCertificate: owner.certPem };
    const mutate = (v: unknown): unknown => {
      switch (Math.floor(rand() * 9)) {
        case 0:
          return { ...valid, operatorCertificate: owner.certPem.slice(0, Math.floor(rand() * owner.certPem.length)) };
        case 1: {
          const pem = owner.certPem.split('');
          for (let k = 0; k < 5; k++) pem[64 + Math.floor(rand() * (pem.length - 100))] = pick(rand, ['A', '/', '+', '!']);
          return { ...valid, operatorCertificate: pem.join('') };
        }
        case 2:
          return { ...valid, role: pick(rand, ['god', '', 1, null]) };
        case 3:
          return { ...valid, operatorName: 'n'.repeat(Math.floor(rand() * 200)) };
        case 4:
          return [v];
        case 5:
          return { ...valid, operatorCertificate: '-----BEGIN CERTIFICATE-----\n' + randomBytes(300).toString('base64') + '\n-----END CERTIFICATE-----\n' };
        case 6:
          return { nonce: randomBytes(Math.floor(rand() * 40)).toString('base64') };
        case 7:
          return randomBytes(20).toString('hex');
        default:
          return { ...valid, extra: true };
      }
    };
    let sent = 0;
    for (let i = 0; i < 1500; i++) {
      if (rand() < 0.15) {
        await client.writeRaw(randomBytes(Math.floor(rand() * 200)));
        continue;
      }
      await client.send({ jsonrpc: '2.0', id: i, method: pick(rand, ['pair', 'challenge', 'pair ', 'PAIR']), params: mutate(valid) });
      sent++;
      if (sent % 50 === 0) await client.waitFor(client.responses.length, 100).catch(() => {});
    }
    // Let the answers to the fuzz drain, then check the endpoint still answers.
    let seen = -1;
    while (seen !== client.responses.length) {
      seen = client.responses.length;
      await new Promise((r) => setTimeout(r, 300));
    }
    const ping = await client.call('last', 'hello');
    assert.ok('result' in ping && ping.id === 'last', `the endpoint still answers after the fuzz: ${JSON.stringify(ping)}`);
    assert.ok(client.responses.length >= sent * 0.9, `${client.responses.length} responses to ${sent} requests`);
  } finally {
    await client.close();
  }
  assert.equal(unit.process.exitCode, null);
  assert.equal((await https(base, 'GET', '/v1/status', { client: owner })).status, 200);
});
