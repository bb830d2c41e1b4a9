import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { BOOT_CLI } from '../../../../testbed/boot-machine.js';
import { listenAsSystemd } from '../../helpers/notify-socket.js';
import { tempDir } from '../../helpers/paths.js';
import { DEVICE_DIST, factoryInstall, makeRelease } from '../../helpers/slot-releases.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('under systemd (NOTIFY_SOCKET) the launcher sends READY=1 once its runtime is up, then relays its beats as WATCHDOG=1 for its own pid', async () => {
  const { dir, cleanup } = await tempDir('sd-notify');
  const systemd = await listenAsSystemd(dir);
  let child: ChildProcess | null = null;
  try {
    await factoryInstall(dir, await makeRelease(dir, '1.0.0', 'good'), '1.0.0');
    child = spawn(process.execPath, [BOOT_CLI, '--data-dir', dir, '--trial-s', '1', '--watchdog-s', '2', '--', '--data-dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NOTIFY_SOCKET: systemd.path, PITWALL_DEVICE_DIST: DEVICE_DIST },
    });
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && !(systemd.text().includes('READY=1') && systemd.text().includes('WATCHDOG=1'))) await sleep(100);
    const received = systemd.text();
    assert.match(received, /READY=1/, received);
    assert.match(received, /STATUS=slot A up/);
    assert.match(received, /WATCHDOG=1/);
    assert.match(received, new RegExp(`MAINPID=${child.pid}`), 'sent for the launcher, the service main process');
  } finally {
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    systemd.close();
    await cleanup();
  }
});
