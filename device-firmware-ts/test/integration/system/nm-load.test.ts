import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyfileText, type KeyfileProfile } from '../../../src/hal/nm/keyfile.js';
import { tempDir } from '../../helpers/paths.js';
import { sbin, tool } from '../../helpers/system-tools.js';

/**
 * pitwall-nm-load (root, run by pitwall-nm-load@UUID.service): copies a keyfile the runtime
 * wrote into its outbox into NetworkManager's folder, root-owned 0600, and loads it; anything
 * the runtime's keyfile writer would not write is refused, nothing installed, no line printed.
 * nmcli is a script recording its argv and the owner and mode of the file it is asked to load.
 */
const UUID = '3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const PSK = 'planted-Secret-9431';
const profile = (p: Partial<KeyfileProfile> = {}): string =>
  keyfileText({ uuid: UUID, name: 'Pitwall: Track WiFi', ifname: 'wlan0', ssid: new TextEncoder().encode('Track WiFi'), security: 'wpa2-personal', psk: PSK, hidden: false, priority: 10, autoconnect: true, mode: 'infrastructure', ...p });

async function rig(nmcliExit = 0) {
  const { dir, cleanup } = await tempDir('nm-load');
  const outbox = join(dir, 'outbox');
  const keyfiles = join(dir, 'keyfiles');
  await mkdir(outbox, { mode: 0o700 });
  await mkdir(keyfiles, { mode: 0o700 });
  const nmcli = join(dir, 'nmcli');
  await writeFile(nmcli, `#!/bin/sh\nprintf '%s %s\\n' "$*" "$(stat -c '%u %a' "$3")" >> '${dir}/nmcli.calls'\nexit ${nmcliExit}\n`);
  await chmod(nmcli, 0o755);
  const run = (uuid = UUID) => tool(sbin('pitwall-nm-load'), [uuid], { env: { PATH: process.env.PATH, PITWALL_NM_OUTBOX: outbox, PITWALL_NM_KEYFILES: keyfiles, NMCLI: nmcli } });
  const put = (text: string, uuid = UUID) => writeFile(join(outbox, `pitwall-${uuid}.nmconnection`), text, { mode: 0o600 });
  const calls = async () => (await readFile(join(dir, 'nmcli.calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { outbox, keyfiles, run, put, calls, cleanup };
}

test('a profile the runtime wrote is installed root-owned 0600 and loaded', async () => {
  const r = await rig();
  try {
    for (const p of [profile(), profile({ security: 'wpa3-personal', hidden: true, priority: -999 }), profile({ security: 'open', psk: null }), profile({ name: 'Pitwall hotspot', mode: 'ap', autoconnect: false }), profile({ ssid: new Uint8Array([0xff, 0x3b, 0x20, 0x00]) })]) {
      await r.put(p);
      const out = await r.run();
      assert.equal(out.code, 0, out.stderr);
      const file = join(r.keyfiles, `pitwall-${UUID}.nmconnection`);
      assert.equal(await readFile(file, 'utf8'), p);
      const s = await stat(file);
      assert.deepEqual([s.uid, s.mode & 0o777], [0, 0o600]);
    }
    const calls = await r.calls();
    assert.equal(calls.length, 5);
    assert.equal(calls[0], `connection load ${join(r.keyfiles, `pitwall-${UUID}.nmconnection`)} 0 600`);
    assert.deepEqual((await readdir(r.keyfiles)).sort(), [`pitwall-${UUID}.nmconnection`]);
  } finally {
    await r.cleanup();
  }
});

test('anything the runtime would not write is refused: nothing installed, nmcli not run, the secret not printed', async () => {
  const r = await rig();
  try {
    const good = profile();
    const cases: Array<[string, string]> = [
      ['a VPN section', good.replace('[ipv4]', '[vpn]\nservice-type=org.freedesktop.NetworkManager.openvpn\n\n[ipv4]')],
      ['an 802-1x certificate path', good.replace('[ipv4]', '[802-1x]\nca-cert=/etc/shadow\n\n[ipv4]')],
      ['connection permissions', good.replace('type=wifi', 'type=wifi\npermissions=user:pitwall;')],
      ['a dispatcher-style key', good.replace('autoconnect=true', 'autoconnect=true\nsecondaries=x')],
      ['another type', good.replace('type=wifi', 'type=ethernet')],
      ['an id not the runtime\'s', good.replace('id=Pitwall:\\sTrack\\sWiFi', 'id=Office')],
      ['another uuid', good.replace(`uuid=${UUID}`, 'uuid=00000000-0000-4000-8000-000000000000')],
      ['two uuids', good.replace(`uuid=${UUID}`, `uuid=${UUID}\nuuid=${UUID}`)],
      ['a control character', good.replace(`psk=${PSK}`, `psk=${PSK}\x1b[2J`)],
      ['no [wifi] section', good.replace('[wifi]\n', '')],
      ['not a keyfile at all', `${PSK}\n`],
    ];
    for (const [what, text] of cases) {
      await r.put(text);
      const out = await r.run();
      assert.notEqual(out.code, 0, what);
      assert.match(out.stderr, /nothing was installed/, what);
      assert.doesNotMatch(out.stdout + out.stderr, new RegExp(PSK), what);
    }
    assert.deepEqual(await readdir(r.keyfiles), []);
    assert.deepEqual(await r.calls(), []);
  } finally {
    await r.cleanup();
  }
});

test('bad names, symlinks and a refusing NetworkManager: a clear error, nothing left behind', async () => {
  const r = await rig(4);
  try {
    for (const bad of ['../../etc/passwd', 'ABCDEF12-1c2d-4e5f-8a9b-0c1d2e3f4a5b', '', `${UUID}/x`]) {
      const out = await r.run(bad);
      assert.equal(out.code, 2, bad);
      assert.match(out.stderr, /named by a lowercase uuid/);
    }
    // The target is a keyfile the helper would accept: only the link itself is refused.
    await writeFile(join(r.outbox, 'target'), profile(), { mode: 0o600 });
    await symlink(join(r.outbox, 'target'), join(r.outbox, `pitwall-${UUID}.nmconnection`));
    const link = await r.run();
    assert.equal(link.code, 3);
    assert.match(link.stderr, /is not a regular file in the outbox/);
    const other = '9f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    await r.put(profile({ uuid: other }), other);
    const refused = await r.run(other);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /NetworkManager did not load/);
    assert.deepEqual(await readdir(r.keyfiles), []);
  } finally {
    await r.cleanup();
  }
});
