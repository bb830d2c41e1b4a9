import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli as cli } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import { unitInfo } from '../../../../e2e/unit-https.js';

/** `pitwall requests | approve | deny` against a real sim unit: an owner answers a network owner request. */
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-requests-'));
let unit: SimUnit;
let address: string;
const dir = (who: string) => ['--no-mdns', '--data-dir', join(tmp, who)];

before(async () => {
  unit = await startSimUnit({ dataDir: join(tmp, 'unit'), name: 'Requests Unit' });
  address = `127.0.0.1:${unit.ready.apiPort}`;
  const r = await cli(['pair', address, '--via', 'usb', '--serial', unit.ready.serialPath, ...dir('owner')]);
  assert.equal(r.code, 0, r.out + r.err);
});

after(async () => {
  await unit?.stop();
  rmSync(tmp, { recursive: true, force: true });
});


/** Presses the button and asks to become an owner from `who`'s data dir: the pending request's id and key. */
async function requestOwner(who: string): Promise<{ id: string; key: string }> {
  await pressSimButton(join(tmp, 'unit'), 'pair');
  const r = await cli(['pair', address, '--via', 'net', '--role', 'owner', ...dir(who)]);
  assert.equal(r.code, 4, r.out + r.err);
  const m = /\(request ([a-f0-9]{16}); this companion's key (SHA256:\S+), the unit's key/.exec(r.err);
  assert.ok(m, r.err);
  return { id: m[1]!, key: m[2]! };
}

test('the owner lists a pending owner request with both keys, the requester cannot approve itself, the owner approves it', async () => {
  const none = await cli(['requests', address, ...dir('owner')]);
  assert.equal(none.code, 0, none.out + none.err);
  assert.match(none.out, /No pending requests to become an owner of Requests Unit\./);

  const req = await requestOwner('second');
  const unitKey = (await unitInfo(unit.ready.apiPort)).fingerprint;

  const listed = await cli(['requests', address, ...dir('owner')]);
  assert.equal(listed.code, 0, listed.out + listed.err);
  assert.ok(listed.out.includes(`Unit key (pinned): ${unitKey}`), listed.out);
  const row = listed.out.split('\n').find((l) => l.startsWith(req.id));
  assert.ok(row, listed.out);
  assert.match(row, new RegExp(`^${req.id}  owner  ${req.key.replace(/[+/]/g, '\\$&')}  \\d+ s ago \\(expires in \\d+ (s|min)\\)`));

  // The requester is not an owner yet (not paired at all): it may neither list nor approve.
  const self = await cli(['approve', address, req.id, ...dir('second')]);
  assert.equal(self.code, 4, self.out + self.err);
  assert.match(self.err, /Requests Unit is not paired with this companion/);
  const selfList = await cli(['requests', address, ...dir('second')]);
  assert.equal(selfList.code, 4, selfList.out + selfList.err);
  const still = await cli(['requests', address, ...dir('owner')]);
  assert.ok(still.out.includes(req.id), 'the refused self-approval left the request pending');

  const approved = await cli(['approve', address, req.id, ...dir('owner')]);
  assert.equal(approved.code, 0, approved.out + approved.err);
  assert.ok(approved.out.includes(`Approved request ${req.id}:`) && approved.out.includes(req.key), approved.out);

  // Approved: the same pair command now pairs as owner without another press.
  const paired = await cli(['pair', address, '--via', 'net', '--role', 'owner', ...dir('second')]);
  assert.equal(paired.code, 0, paired.out + paired.err);
  assert.match(paired.out, /Paired with Requests Unit .* as owner over the network\./);
  const ops = await cli(['operators', address, ...dir('owner')]);
  assert.ok(ops.out.split('\n').some((l) => l.startsWith('owner') && l.includes(req.key)), ops.out);

  const again = await cli(['approve', address, req.id, ...dir('owner')]);
  assert.equal(again.code, 3, again.out + again.err);
  assert.match(again.err, new RegExp(`no pending request ${req.id}: it was already answered, it expired`));
});

test('the owner denies a request: nothing is paired, the id is gone; bad and unknown ids are refused clearly', async () => {
  const req = await requestOwner('third');
  const denied = await cli(['deny', address, req.id, ...dir('owner')]);
  assert.equal(denied.code, 0, denied.out + denied.err);
  assert.match(denied.out, new RegExp(`Denied request ${req.id} on Requests Unit`));
  const listed = await cli(['requests', address, ...dir('owner')]);
  assert.ok(!listed.out.includes(req.id), listed.out);
  const ops = await cli(['operators', address, ...dir('owner')]);
  assert.ok(!ops.out.includes(req.key), ops.out);

  const unknown = await cli(['deny', address, '0123456789abcdef', ...dir('owner')]);
  assert.equal(unknown.code, 3, unknown.out + unknown.err);
  assert.match(unknown.err, /no pending request 0123456789abcdef/);
  const staff = await cli(['pair', address, '--via', 'usb', '--role', 'staff', '--serial', unit.ready.serialPath, ...dir('staff')]);
  assert.equal(staff.code, 0, staff.out + staff.err);
  const notOwner = await cli(['deny', address, '0123456789abcdef', '--serial', unit.ready.serialPath, ...dir('staff')]);
  assert.equal(notOwner.code, 4, notOwner.out + notOwner.err);
  assert.match(notOwner.err, /only an owner of Requests Unit can deny a request to become an owner; this companion is paired as staff/);
  const bad = await cli(['approve', address, 'not-an-id', ...dir('owner')]);
  assert.equal(bad.code, 2, bad.out + bad.err);
  assert.match(bad.err, /a request id is 16 hex digits/);
});
