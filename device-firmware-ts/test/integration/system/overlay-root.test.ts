import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/paths.js';
import { requireTools, sbin, tool } from '../../helpers/system-tools.js';

/**
 * The read-only root: pitwall-overlay-root mounts a root tree under an overlay with a tmpfs
 * upper layer and binds the data partition where the unit keeps state. Each "boot" is a
 * fresh private mount namespace (`unshare -m --propagation private`); leaving it is the
 * power-off: the tmpfs is gone, the data directory stays.
 */
const OVERLAY = sbin('pitwall-overlay-root');
let dir = '';
let cleanup: () => Promise<void> = async () => {};
const lower = (): string => join(dir, 'lower');
const data = (): string => join(dir, 'data');
const target = (): string => join(dir, 'root');

const PERSISTENT = {
  'var/lib/pitwall/identity/unit-key.pem': 'the unit key',
  'var/lib/pitwall/identity/operators.json': '{"operators":[]}',
  'var/lib/pitwall/sessions/2026-12-06-everland.jsonl': '{"lap":1}',
  'var/lib/pitwall/logs/pitwall.log': '{"msg":"boot"}',
  'etc/NetworkManager/system-connections/Paddock.nmconnection': 'id=Paddock',
};
const VOLATILE = {
  'etc/hostname': 'changed-by-an-intruder',
  'usr/local/bin/implant': '#!/bin/sh',
  'root/.profile': 'export PATH=/tmp',
  'var/tmp/scratch': 'x',
};

/** One boot: mount the overlay in a new private mount namespace, run SCRIPT inside (cwd = the merged root). */
async function boot(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const mount = `'${OVERLAY}' mount --lower '${lower()}' --data '${data()}' --target '${target()}' --upper-size 16m`;
  return tool('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', `${mount}\ncd '${target()}'\n${script}`]);
}

before(async () => {
  await requireTools('unshare', 'mount');
  ({ dir, cleanup } = await tempDir('overlay-root'));
  for (const d of ['lower/etc', 'lower/usr/local/bin', 'lower/var/lib', 'lower/var/tmp', 'lower/root', 'data', 'root']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(lower(), 'etc/hostname'), 'pitwall');
});
after(() => cleanup());

test('first boot: writes land in the overlay; the root tree below stays read-only and unchanged', async () => {
  const writes = Object.entries({ ...PERSISTENT, ...VOLATILE })
    .map(([path, text]) => `mkdir -p "$(dirname '${path}')" && printf '%s' '${text}' > '${path}'`)
    .join('\n');
  const r = await boot(`${writes}
    mount | grep -q " on $PWD type overlay (ro" && echo 'overlay read-only?!'
    touch '${target()}.layers/lower/etc/probe' 2>/dev/null && echo 'lower writable?!'
    cat etc/hostname`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'changed-by-an-intruder');
  assert.equal(await readFile(join(lower(), 'etc/hostname'), 'utf8'), 'pitwall');
  assert.deepEqual(await readdir(join(lower(), 'usr/local/bin')), []);
  // Nothing leaks out of the namespace: the mount point is empty again.
  assert.deepEqual(await readdir(target()), []);
});

test('after the reboot: identity, operators, sessions, logs and Wi-Fi profiles survive; every other write is gone', async () => {
  const paths = [...Object.keys(PERSISTENT), ...Object.keys(VOLATILE)];
  const r = await boot(paths.map((p) => `if [ -e '${p}' ]; then printf '%s=%s\\n' '${p}' "$(cat '${p}')"; else echo '${p} gone'; fi`).join('\n'));
  assert.equal(r.code, 0, r.stderr);
  const expected = [
    ...Object.entries(PERSISTENT).map(([p, text]) => `${p}=${text}`),
    'etc/hostname=pitwall', // the image's own again
    ...Object.keys(VOLATILE).filter((p) => p !== 'etc/hostname').map((p) => `${p} gone`),
  ];
  assert.deepEqual(r.stdout.trim().split('\n'), expected);
  // What survived is on the data partition, in the two trees of different owners.
  assert.equal(await readFile(join(data(), 'pitwall/identity/unit-key.pem'), 'utf8'), 'the unit key');
  assert.deepEqual(await readdir(join(data(), 'system/system-connections')), ['Paddock.nmconnection']);
});

test('bad arguments: a clear error and nothing mounted', async () => {
  const r = await tool('unshare', ['-m', '--propagation', 'private', OVERLAY, 'mount', '--lower', join(dir, 'missing'), '--data', data(), '--target', target()]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pitwall-overlay-root: lower .* is not a directory/);
  const usage = await tool(OVERLAY, ['mount', '--lower', lower()]);
  assert.match(usage.stderr, /usage: mount --lower DIR --data DIR --target DIR/);
  const init = await tool(OVERLAY, ['init']);
  assert.match(init.stderr, /init runs as the kernel init= only/);
});
