import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { BOOT_CLI } from '../../../../testbed/boot-machine.js';
import { tempDir } from '../../helpers/paths.js';
import { DEVICE_DIST, factoryInstall, makeRelease } from '../../helpers/slot-releases.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('under systemd (NOTIFY_SOCKET) the launcher sends READY=1 once its runtime is up, then relays its beats as WATCHDOG=1 for its own pid', async () => {
  const { dir, cleanup } = await tempDir('sd-notify');
  const socket = join(dir, 'notify.sock');
  // systemd's side: a datagram socket, read by socat (Node cannot open one).
  const listener = spawn('socat', ['-u', `UNIX-RECV:${socket}`, '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let received = '';
  listener.stdout.setEncoding('utf8').on('data', (d: string) => (received += `${d}\n`));
  let child: ChildProcess | null = null;
  try {
    await factoryInstall(dir, await makeRelease(dir, '1.0.0', 'good'), '1.0.0');
    for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(50);
    child = spawn(process.execPath, [BOOT_CLI, '--data-dir', dir, '--trial-s', '1', '--watchdog-s', '2', '--', '--data-dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NOTIFY_SOCKET: socket, PITWALL_DEVICE_DIST: DEVICE_DIST },
    });
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && !(received.includes('READY=1') && received.includes('WATCHDOG=1'))) await sleep(100);
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
    listener.kill('SIGTERM');
    await cleanup();
  }
});
