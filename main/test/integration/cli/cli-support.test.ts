import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pairOverUsb } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { parseCli, UsageError } from '../../../src/cli-args.js';
import { runCli } from '../../helpers/run-cli.js';

/**
 * `pitwall support on|off|status <unit>`: a real sim unit, companions paired over its USB end.
 * The relay is a closed port here (the tunnel keeps retrying): the relay itself is tested by the
 * unit's support-relay integration test.
 */
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-support-'));
const unitDir = join(tmp, 'unit');
const ownerDir = join(tmp, 'owner');
const staffDir = join(tmp, 'staff');
let unit: SimUnit;
let address: string;

const cli = runCli;

before(async () => {
  mkdirSync(unitDir);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'relay_key')]);
  const hostKey = readFileSync(join(tmp, 'relay_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const config = join(tmp, 'unit.json');
  writeFileSync(config, JSON.stringify({ support: { relay: { host: '127.0.0.1', port: 1, user: 'nobody', hostKey, listenPort: 20001 }, exportRoot: join(tmp, 'export-root'), exportPort: 30000 + Math.floor(Math.random() * 10000) } }));
  unit = await startSimUnit({ dataDir: unitDir, name: 'Support Unit', extraArgs: ['--config', config] });
  address = `127.0.0.1:${unit.ready.apiPort}`;
  await pairOverUsb(unit, ownerDir, 'owner');
  await pairOverUsb(unit, staffDir, 'staff');
});

after(async () => {
  await unit?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('support arguments: on|off|status, --for 90s|60m|2h (minutes when bare) up to 8h, only with on', () => {
  const on = (...a: string[]) => parseCli(['support', 'on', 'unit-1', ...a]);
  assert.equal((on('--for', '90s') as { durationS?: number }).durationS, 90);
  assert.equal((on('--for', '60') as { durationS?: number }).durationS, 3600);
  assert.equal((on('--for', '8h') as { durationS?: number }).durationS, 8 * 3600);
  assert.equal((on() as { durationS?: number }).durationS, undefined);
  for (const bad of ['9h', '0m', '481m', '-1h', '1d', '1.5h', '', 'soon']) assert.throws(() => on('--for', bad), UsageError, bad);
  assert.throws(() => parseCli(['support', 'status', 'unit-1', '--for', '1h']), /--for is for support on only/);
  assert.throws(() => parseCli(['support', 'unit-1']), /support needs on, off or status/);
  assert.throws(() => parseCli(['support', 'on']), /support on needs exactly one unit/);
});

test('pitwall support: the owner turns it on for a while and off; staff may look but not turn it on', async () => {
  const off = await cli(['support', 'status', address, '--no-mdns', '--data-dir', staffDir]);
  assert.equal(off.code, 0, off.out + off.err);
  assert.match(off.out, /^Support mode is off on Support Unit \(/m);

  const refused = await cli(['support', 'on', address, '--no-mdns', '--data-dir', staffDir]);
  assert.equal(refused.code, 4, refused.out + refused.err);
  assert.match(refused.err, /role staff may not administer the unit/);

  const on = await cli(['support', 'on', address, '--for', '2m', '--no-mdns', '--data-dir', ownerDir]);
  assert.equal(on.code, 0, on.out + on.err);
  assert.match(on.out, /^Support mode is on on Support Unit \([0-9a-f-]+\), by the owner: 2 min left \(until \d{4}-\d\d-\d\dT[\d:.]+Z\)\.$/m);
  assert.match(on.out, /^Tunnel: (connecting|backoff) to nobody@127\.0\.0\.1:1, listening on the relay's 127\.0\.0\.1:20001/m);
  assert.match(on.out, /echo 'ssh-ed25519 [A-Za-z0-9+/]+ pitwall-support-[0-9a-f-]+' \| register-unit-key\.sh add --unit [0-9a-f-]+ --port 20001 --until /);
  assert.equal(readFileSync(join(unitDir, 'support', 'id_ed25519.pub'), 'utf8').trim(), /echo '([^']+)'/.exec(on.out)![1]);
  // The export sits under /tmp here: the unit says at once that sshd would refuse to chroot there.
  assert.match(on.out, /the export folder cannot be served: \/tmp is not root-owned or is group\/world-writable/);

  const seen = await cli(['support', 'status', address, '--no-mdns', '--data-dir', staffDir]);
  assert.match(seen.out, /Support mode is on .*: [12] min left/);

  const stop = await cli(['support', 'off', address, '--no-mdns', '--data-dir', staffDir]);
  assert.equal(stop.code, 0, stop.out + stop.err);
  assert.match(stop.out, /^Support mode is off on Support Unit/m);
});
