import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { DATABASE_FILE, defaultUserDataDir, integrityCheck, migrate, openDatabase, schemaVersion } from '../../../src/store/database.js';
import { DeviceRepo } from '../../../src/store/device-repo.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { DeviceRegistry } from '../../../src/discovery/device-registry.js';
import { scratchDir } from '../../helpers/units.js';

const scratch = scratchDir('store');
after(() => scratch.cleanup());

const UNIT = { id: '0b6f2d0e-6f6a-4d4e-9a43-1b2c3d4e5f60', name: 'Kart 7', model: 'PW-1', firmware: '0.1.0', commit: 'abc1234' };

test('migrations bring a new database to the latest version, WAL and foreign keys on', () => {
  const dir = join(scratch.dir, 'fresh');
  const db = openDatabase(dir);
  assert.equal(schemaVersion(db), MIGRATIONS.at(-1)!.version);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.deepEqual(integrityCheck(db), ['ok']);
  db.close();
});

test('migrations are idempotent: re-running changes nothing, a later migration applies once', () => {
  const dir = join(scratch.dir, 'idem');
  const latest = MIGRATIONS.at(-1)!.version;
  const extra = [...MIGRATIONS, { version: latest + 1, sql: 'CREATE TABLE probe_log (at INTEGER NOT NULL) STRICT;' }];
  const versionAfterOpen = (migrations = MIGRATIONS) => {
    const db = openDatabase(dir, migrations);
    try {
      return schemaVersion(db);
    } finally {
      db.close();
    }
  };
  const db = openDatabase(dir);
  new DeviceRepo(db).recordSighting({ ...UNIT, lastSeen: 1000 }, { kind: 'usb', target: '/dev/ttyACM0', lastSeen: 1000 });
  db.close();
  assert.equal(versionAfterOpen(), latest);
  assert.equal(versionAfterOpen(), latest);
  assert.equal(versionAfterOpen(extra), latest + 1);
  assert.equal(versionAfterOpen(extra), latest + 1, 'second run is a no-op (CREATE TABLE would fail if re-run)');
  const again = openDatabase(dir);
  assert.equal(new DeviceRepo(again).listUnits().length, 1);
  assert.equal(migrate(openDatabase(null)), latest, 'in memory too');
  again.close();
});

test('a failing migration rolls back and leaves the version unchanged', () => {
  const db = openDatabase(null);
  const latest = MIGRATIONS.at(-1)!.version;
  const broken = [...MIGRATIONS, { version: latest + 1, sql: 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL;' }];
  assert.throws(() => migrate(db, broken));
  assert.equal(schemaVersion(db), latest);
  assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all(), []);
  db.close();
});

test('units, links and manual addresses persist across reopen; forget cascades', () => {
  const dir = join(scratch.dir, 'persist');
  let db = openDatabase(dir);
  let repo = new DeviceRepo(db);
  repo.recordSighting({ ...UNIT, lastSeen: 2000 }, { kind: 'address', target: '10.0.0.5:8080', lastSeen: 2000 });
  repo.recordSighting({ ...UNIT, commit: null, lastSeen: 3000 }, { kind: 'usb', target: '/dev/ttyACM0', lastSeen: 3000 });
  repo.saveManualAddress('10.0.0.5:8080', UNIT.id, 2000);
  db.close();

  db = openDatabase(dir);
  repo = new DeviceRepo(db);
  const [unit] = repo.listUnits();
  assert.equal(unit?.name, 'Kart 7');
  assert.equal(unit?.commit, 'abc1234', 'a sighting without commit keeps the known one');
  assert.equal(unit?.firstSeen, 2000);
  assert.equal(unit?.lastSeen, 3000);
  assert.deepEqual(repo.listLinks().map((l) => l.kind).sort(), ['address', 'usb']);
  assert.deepEqual(repo.listManualAddresses().map((r) => r.target), ['10.0.0.5:8080']);
  assert.deepEqual(integrityCheck(db), ['ok']);

  assert.equal(repo.forgetUnit(UNIT.id), true);
  assert.deepEqual(repo.listLinks(), []);
  assert.deepEqual(repo.listManualAddresses(), []);
  db.close();
});

test('the registry lists units from the store offline at startup', () => {
  const dir = join(scratch.dir, 'registry');
  let db = openDatabase(dir);
  const reg = new DeviceRegistry(new DeviceRepo(db));
  reg.linkUp(UNIT, 'usb', '/dev/ttyACM0', 5000);
  reg.linkUp(UNIT, 'address', '10.0.0.5:8080', 6000);
  assert.equal(reg.list()[0]?.online, true);
  db.close();

  db = openDatabase(dir);
  const again = new DeviceRegistry(new DeviceRepo(db)).list();
  assert.equal(again.length, 1);
  assert.equal(again[0]?.online, false);
  assert.equal(again[0]?.lastSeen, 6000);
  assert.deepEqual(
    again[0]?.links.map((l) => [l.kind, l.online]),
    [
      ['usb', false],
      ['address', false],
    ],
  );
  db.close();
});

test('defaultUserDataDir honours PITWALL_DATA_DIR, then XDG_CONFIG_HOME, then ~/.config', () => {
  assert.equal(defaultUserDataDir({ PITWALL_DATA_DIR: '/srv/pw' }), '/srv/pw');
  assert.equal(defaultUserDataDir({ XDG_CONFIG_HOME: '/home/a/.cfg' }), '/home/a/.cfg/pitwall');
  assert.match(defaultUserDataDir({}), /\.config\/pitwall$/);
  assert.equal(DATABASE_FILE, 'companion.sqlite');
});
