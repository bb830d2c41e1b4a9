import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { WifiProfile } from '@pitwall/protocol';
import { factoryReset, FactoryResetError } from '../../../src/recovery/factory-reset.js';
import { wipeThroughNetworkManager } from '../../../src/recovery/wifi-wipe.js';

const profile = (uuid: string, name: string, kind: WifiProfile['kind']): WifiProfile => ({ uuid, name, kind, priority: 0, autoconnect: true, active: false, state: '' });

/** NetworkManager's saved profiles as the unit's nmcli wrapper sees them; `remove` may be made to fail. */
function fakeNetworkManager(profiles: WifiProfile[], failRemove = false) {
  const removed: string[] = [];
  return {
    removed,
    list: async () => profiles.filter((p) => !removed.includes(p.uuid)),
    remove: async (uuid: string) => {
      if (failRemove) throw new Error('NetworkManager is not running');
      removed.push(uuid);
    },
  };
}

test("on a unit the reset deletes Pitwall's profiles through NetworkManager and leaves the image's own", async () => {
  const nm = fakeNetworkManager([profile('u1', 'Pitwall: Track', 'client'), profile('u2', 'Pitwall support: Van', 'support'), profile('u3', 'Pitwall hotspot', 'hotspot'), profile('u4', 'Wired connection 1', 'other')]);
  assert.equal(await wipeThroughNetworkManager(nm)(), 3);
  assert.deepEqual(nm.removed, ['u1', 'u2', 'u3']);
});

test('a Wi-Fi wipe NetworkManager refuses stops the factory reset before anything is wiped', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pitwall-reset-'));
  try {
    await mkdir(join(dataDir, 'sessions'));
    await writeFile(join(dataDir, 'sessions', 'a.pws'), 'session');
    await mkdir(join(dataDir, 'identity'));
    await writeFile(join(dataDir, 'identity', 'operators.json'), '[]');
    const nm = fakeNetworkManager([profile('u1', 'Pitwall: Track', 'client')], true);
    await assert.rejects(factoryReset({ dataDir, wipeWifi: wipeThroughNetworkManager(nm) }), (err: Error) => err instanceof FactoryResetError && /could not be removed \(NetworkManager is not running\); nothing else was wiped/.test(err.message));
    assert.deepEqual(await readdir(join(dataDir, 'sessions')), ['a.pws']);
    assert.deepEqual(await readdir(join(dataDir, 'identity')), ['operators.json']);

    const working = fakeNetworkManager([profile('u1', 'Pitwall: Track', 'client')]);
    const wiped = await factoryReset({ dataDir, wipeWifi: wipeThroughNetworkManager(working) });
    assert.deepEqual([...wiped].sort(), ['operators', 'sessions', 'wifi-profiles']);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
