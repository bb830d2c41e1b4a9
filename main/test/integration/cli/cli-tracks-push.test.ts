import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ownTrackList } from '@pitwall/protocol';
import { COMPANION_CLI, pairOverUsb } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { runCli } from '../../helpers/run-cli.js';
import { storeFarSession } from '../../helpers/far-session.js';

/** `pitwall tracks push <unit>`: a real sim unit, companions paired over its USB serial end. */
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-tracks-push-'));
const unitDir = join(tmp, 'unit');
const ownerDir = join(tmp, 'owner');
const staffDir = join(tmp, 'staff');
let unit: SimUnit;
let address: string;
let ownId: string;

const cli = runCli;
const unitFile = () => join(unitDir, 'tracks', 'own-tracks.json');

before(async () => {
  unit = await startSimUnit({ dataDir: unitDir, name: 'Push Unit' });
  address = `127.0.0.1:${unit.ready.apiPort}`;
  // The owner's companion draws its own track from a drive no catalog track is near.
  storeFarSession(ownerDir);
  const added = spawnSync(process.execPath, [COMPANION_CLI, 'tracks', 'add', '--from', 's-far', '--name', 'Home Loop', '--json', '--data-dir', ownerDir], { encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  ownId = (JSON.parse(added.stdout) as { track: { id: string } }).track.id;
  await pairOverUsb(unit, ownerDir, 'owner');
  await pairOverUsb(unit, staffDir, 'staff');
});

after(async () => {
  await unit?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('pitwall tracks push: the owner replaces the unit\'s own tracks and is told how many it holds', async () => {
  const r = await cli(['tracks', 'push', address, '--no-mdns', '--data-dir', ownerDir]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^Push Unit \([0-9a-f-]+\) now holds 1 own track from this companion; it times them from its next start\.$/m);
  assert.equal(statSync(unitFile()).mode & 0o777, 0o600);
  assert.deepEqual(ownTrackList.parse(JSON.parse(readFileSync(unitFile(), 'utf8'))).tracks.map((t) => [t.id, t.venue]), [[ownId, 'Home Loop']]);
});

test('pitwall tracks push: staff is refused by the unit (exit 4) and the unit keeps its tracks; a missing unit is a usage error', async () => {
  const before = readFileSync(unitFile(), 'utf8');
  const r = await cli(['tracks', 'push', address, '--no-mdns', '--data-dir', staffDir]);
  assert.equal(r.code, 4, r.out + r.err);
  assert.match(r.err, /role staff may not replace the unit's own tracks/);
  assert.equal(readFileSync(unitFile(), 'utf8'), before);
  const usage = await cli(['tracks', 'push', '--data-dir', ownerDir]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /tracks push needs exactly one unit/);
});
