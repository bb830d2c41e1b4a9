import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli as cli } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import { unitInfo } from '../../../../e2e/unit-https.js';

/** `pitwall pair` prints both keys (this companion's and the unit's) before and after pairing. */
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-pair-'));
let unit: SimUnit;

before(async () => {
  unit = await startSimUnit({ dataDir: join(tmp, 'unit'), name: 'CLI Pair Unit' });
});

after(async () => {
  await unit?.stop();
  rmSync(tmp, { recursive: true, force: true });
});


test('pitwall pair over USB shows this companion\'s key first, then both keys as pinned and registered', async () => {
  const address = `127.0.0.1:${unit.ready.apiPort}`;
  const r = await cli(['pair', address, '--via', 'usb', '--serial', unit.ready.serialPath, '--no-mdns', '--data-dir', join(tmp, 'owner')]);
  assert.equal(r.code, 0, r.out + r.err);
  const unitKey = (await unitInfo(unit.ready.apiPort)).fingerprint;
  const mine = /^This companion: .*, key (SHA256:\S+)$/m.exec(r.out)?.[1];
  assert.ok(mine, r.out);
  const lines = r.out.split('\n');
  assert.ok(lines.findIndex((l) => l.startsWith('This companion:')) < lines.findIndex((l) => l.startsWith('Paired with')), 'shown before pairing');
  assert.ok(lines.includes(`Unit key as discovered: ${unitKey}`), r.out);
  assert.ok(lines.includes(`Unit key (pinned): ${unitKey}`), r.out);
  assert.ok(lines.includes(`This companion's key (registered on the unit): ${mine}`), r.out);
});

test('pitwall pair --via net --role owner on an owned unit: waits for the owner\'s approval, says so with both keys, exit 4', async () => {
  await pressSimButton(join(tmp, 'unit'), 'pair');
  const r = await cli(['pair', `127.0.0.1:${unit.ready.apiPort}`, '--via', 'net', '--role', 'owner', '--no-mdns', '--data-dir', join(tmp, 'second')]);
  assert.equal(r.code, 4, r.out + r.err);
  assert.match(r.err, /already has an owner: this request to become an owner waits for an existing owner's approval/);
  assert.ok(r.err.includes((await unitInfo(unit.ready.apiPort)).fingerprint), r.err);
});
