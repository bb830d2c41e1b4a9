// ADVERSARIAL.md, Trust: "Unpaired, revoked, wrong-key, expired and replayed requests -> refused
// and audited", here raced against one press of the pair button (issue 10, finding 1).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, operatorList, ownerRequestList, pairingPending, pairResult, type AuditRecord } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton, simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds, type Res } from '../../helpers/https-client.js';

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;

const code = (res: Res) => apiError.parse(JSON.parse(res.body)).error.code;
const pairNet = (client: OperatorCreds, role: string, name = 'laptop') =>
  https(base, 'POST', '/v1/pairing', { client, body: { operatorName: name, role }, timeoutMs: 30_000 });

/** Refusals the audit log accounts for: a record each, plus the counts its summaries carry. */
function refusalsCounted(recs: AuditRecord[], pattern: RegExp): number {
  let n = 0;
  for (const r of recs) {
    if (r.outcome !== 'refused' || !pattern.test(r.detail)) continue;
    const more = /^(\d+) more identical refusal/.exec(r.detail);
    n += more ? Number(more[1]) : 1;
  }
  return n;
}

before(async () => {
  data = await tempDir('pairing-race');
  unit = await startSimUnit({ dataDir: data.dir, speed: 5, extraArgs: ['--pairing-window', '20'] });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

let winner: OperatorCreds;

test('pairing-race: 50 concurrent owner pairings in one window -> exactly one pairing, 49 audited refusals', async () => {
  const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => makeOperator(`racer ${i}`)));
  await pressSimButton(data.dir, 'pair');
  const results = await Promise.all(clients.map((c, i) => pairNet(c, 'owner', `racer ${i}`)));
  const ok = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
  assert.equal(ok.length, 1, `one press, one pairing: ${ok.length} succeeded`);
  winner = clients[ok[0]!]!;
  assert.equal(pairResult.parse(JSON.parse(results[ok[0]!]!.body)).operatorFingerprint, winner.fingerprint);
  // The losers are refused: the window was taken, or their address was past its rate.
  for (const r of results) if (r.status !== 200) assert.ok(['pairing-closed', 'rate-limited'].includes(code(r)), r.body);
  const ops = operatorList.parse(JSON.parse((await https(base, 'GET', '/v1/operators', { client: winner })).body)).operators;
  assert.deepEqual(ops.map((o) => o.fingerprint), [winner.fingerprint]);
});

test('pairing-race: a rogue POST {"role":"owner"} racing the real owner\'s press never makes a second owner', async () => {
  const rogue = await makeOperator('rogue');
  const staff = await makeOperator('staff');
  // The race above emptied this address's bucket of unauthenticated requests; let it refill.
  await new Promise((r) => setTimeout(r, 4500));
  await pressSimButton(data.dir, 'pair');
  // The rogue polls GET /v1/pairing and fires as soon as the window opens, with the staff laptop.
  const [rogueRes, staffRes] = await Promise.all([pairNet(rogue, 'owner', 'rogue'), pairNet(staff, 'staff', 'team laptop')]);
  assert.notEqual(rogueRes.status, 200, `the rogue was made an owner over the network: ${rogueRes.body}`);
  if (rogueRes.status === 202) {
    // It won the window: its request waits for the owner, who sees it and denies it.
    const pending = pairingPending.parse(JSON.parse(rogueRes.body));
    assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).pair, 'fast-blink', 'the unit shows a pending pairing');
    const list = ownerRequestList.parse(JSON.parse((await https(base, 'GET', '/v1/pairing/requests', { client: winner })).body));
    assert.deepEqual(list.requests.map((r) => r.operatorFingerprint), [rogue.fingerprint]);
    assert.equal((await https(base, 'DELETE', `/v1/pairing/requests/${pending.request.id}`, { client: winner })).status, 200);
    assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).pair, 'off');
  }
  const ops = operatorList.parse(JSON.parse((await https(base, 'GET', '/v1/operators', { client: winner })).body)).operators;
  assert.ok(!ops.some((o) => o.fingerprint === rogue.fingerprint && o.revokedAt === null && o.role === 'owner'), JSON.stringify(ops));
  assert.ok([200, 403].includes(staffRes.status), staffRes.body);
  // Even an owner made over USB cannot take the unit from the first one over the network.
  await pairOverSerial(unit.ready.serialPath, rogue, 'owner', 'second owner (usb)');
  const take = await https(base, 'DELETE', `/v1/operators/${encodeURIComponent(winner.fingerprint)}`, { client: rogue });
  assert.equal(take.status, 403, `an owner revoked another owner over the network: ${take.body}`);
  assert.equal(code(take), 'usb-required');
  assert.equal((await https(base, 'GET', '/v1/status', { client: winner })).status, 200, 'the first owner is still served');
});

test('owner approval: a further owner asked for over the network waits (LED fast-blink) until an existing owner approves it', async () => {
  const second = await makeOperator('second owner');
  await new Promise((r) => setTimeout(r, 1000));
  await pressSimButton(data.dir, 'pair');
  assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).pair, 'slow-blink', 'window open');
  const asked = await pairNet(second, 'owner', 'second owner');
  assert.equal(asked.status, 202, asked.body);
  const pending = pairingPending.parse(JSON.parse(asked.body));
  assert.equal(pending.unitFingerprint, asked.serverFingerprint, 'the unit fingerprint to show is the one the TLS connection saw');
  assert.equal(pending.request.operatorFingerprint, second.fingerprint);
  assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).pair, 'fast-blink');
  assert.equal((await https(base, 'GET', '/v1/status', { client: second })).status, 401, 'not an operator until approved');
  // Only an owner may approve, and only over its authenticated connection.
  assert.equal((await https(base, 'POST', `/v1/pairing/requests/${pending.request.id}/approve`, { client: second })).status, 401);
  const approved = await https(base, 'POST', `/v1/pairing/requests/${pending.request.id}/approve`, { client: winner });
  assert.equal(approved.status, 200, approved.body);
  assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).pair, 'off');
  const history = JSON.parse(await simGpioCommand(data.dir, 'led-history')).pair as string[];
  assert.deepEqual(history.slice(-3), ['slow-blink', 'fast-blink', 'off'], history.join(','));
  // The requester learns it was approved by asking again (no window needed for its own key).
  const again = await pairNet(second, 'owner', 'second owner');
  assert.equal(again.status, 200, again.body);
  assert.equal(pairResult.parse(JSON.parse(again.body)).role, 'owner');
  assert.equal((await https(base, 'GET', '/v1/operators', { client: second })).status, 200);
  const unknown = await https(base, 'POST', `/v1/pairing/requests/${pending.request.id}/approve`, { client: winner });
  assert.equal(unknown.status, 404, 'a request is answered once');
});

test('staff cannot approve an owner request; owners, the last one included, are revoked over USB, and then a press makes an owner again', async () => {
  const { SerialRpcClient } = await import('../../helpers/serial-rpc-client.js');
  const staffKey = await makeOperator('staff 2');
  await pairOverSerial(unit.ready.serialPath, staffKey, 'staff', 'staff (usb)');
  await new Promise((r) => setTimeout(r, 1000));
  const asker = await makeOperator('asker');
  await pressSimButton(data.dir, 'pair');
  const asked = await pairNet(asker, 'owner', 'asker');
  assert.equal(asked.status, 202, asked.body);
  const id = pairingPending.parse(JSON.parse(asked.body)).request.id;
  const byStaff = await https(base, 'POST', `/v1/pairing/requests/${id}/approve`, { client: staffKey });
  assert.equal(byStaff.status, 403, 'staff cannot make owners');
  assert.equal(code(byStaff), 'forbidden');
  assert.equal((await https(base, 'DELETE', `/v1/pairing/requests/${id}`, { client: winner })).status, 200, 'the owner denies it');
  assert.equal((await https(base, 'GET', '/v1/status', { client: asker })).status, 401);

  const owners = operatorList.parse(JSON.parse((await https(base, 'GET', '/v1/operators', { client: winner })).body)).operators.filter((o) => o.role === 'owner' && o.revokedAt === null);
  assert.ok(owners.length >= 2, JSON.stringify(owners));
  const client = await SerialRpcClient.open(unit.ready.serialPath);
  try {
    // USB revokes owners, down to the last one (physical presence is the authority).
    for (const [i, o] of owners.entries()) {
      const r = await client.call(10 + i, 'revoke', { fingerprint: o.fingerprint });
      assert.ok('result' in r, JSON.stringify(r));
    }
    const bad = await client.call(99, 'revoke', { fingerprint: 'nonsense' });
    assert.ok('error' in bad && bad.error.code === -32602, 'invalid params');
  } finally {
    await client.close();
  }
  assert.equal((await https(base, 'GET', '/v1/status', { client: winner })).status, 403, 'revoked');
  // With no owner left, the next network pairing may make one again (after a press).
  await new Promise((r) => setTimeout(r, 1000));
  const fresh = await makeOperator('new owner');
  await pressSimButton(data.dir, 'pair');
  const again = await pairNet(fresh, 'owner', 'new owner');
  assert.equal(again.status, 200, again.body);
});

test('pairing-race: every refusal of the race is in the audit log (counted in summaries), every pairing too', async () => {
  await unit.stop();
  const recs = await readAudit(data.dir);
  const refused = refusalsCounted(recs, /pairing-closed|rate-limited/);
  assert.ok(refused >= 49, `refusals audited: ${refused}`);
  const owners = recs.filter((r) => r.event === 'pair' && r.outcome === 'ok' && r.role === 'owner' && r.via === 'network');
  assert.deepEqual(owners.map((r) => /approved by/.test(r.detail)), [false, true, false], 'the race\'s one owner, the approved one, the one after every owner was revoked over USB');
  assert.equal(recs.filter((r) => r.event === 'revoke' && r.via === 'usb' && r.role === 'owner').length, 3);
});
