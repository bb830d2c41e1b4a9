import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { BOOT_CLI } from '../../../../testbed/boot-machine.js';
import { listenAsSystemd } from '../../helpers/notify-socket.js';
import { tempDir } from '../../helpers/paths.js';
import { recoveryUnit } from '../../helpers/recovery-unit.js';
import { DEVICE_DIST } from '../../helpers/slot-releases.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('under systemd, recovery mode is watched like a slot: READY=1 once it is up, its beats relayed as WATCHDOG=1; hung (SIGSTOP), the beats stop, the launcher kills it and starts recovery mode again', async () => {
  const { dir, cleanup } = await tempDir('recovery-watchdog');
  const { dataDir } = await recoveryUnit(dir, [], []);
  const systemd = await listenAsSystemd(dir);
  const received = systemd.received;
  const readyLines: Array<{ pid: number }> = [];
  let child: ChildProcess | null = null;
  let stopped: number | null = null;
  try {
    child = spawn(process.execPath, [BOOT_CLI, '--data-dir', dataDir, '--trial-s', '1', '--watchdog-s', '3', '--start-timeout-s', '20', '--', 'sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NOTIFY_SOCKET: systemd.path, PITWALL_DEVICE_DIST: DEVICE_DIST },
    });
    child.stderr!.resume();
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"recovery":"ready"')) readyLines.push(JSON.parse(line) as { pid: number });
    });
    const until = async (what: string, ok: () => boolean, ms = 30_000) => {
      const deadline = performance.now() + ms;
      while (!ok()) {
        if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms; notify: ${JSON.stringify(received.map((r) => r.text))}`);
        await sleep(100);
      }
    };
    const text = systemd.text;
    await until('recovery ready and a watchdog beat', () => readyLines.length === 1 && /READY=1/.test(text()) && /WATCHDOG=1/.test(text()));
    assert.match(text(), /STATUS=recovery mode/);
    assert.match(text(), new RegExp(`MAINPID=${child.pid}`), 'sent for the launcher, the service main process');

    // Hung: no more beats reach systemd, then the launcher kills it and starts recovery again.
    const hung = readyLines[0]!.pid;
    process.kill(hung, 'SIGSTOP');
    stopped = hung;
    const at = performance.now();
    await sleep(2500);
    assert.equal(systemd.pingsAfter(at + 1200), 0, 'no WATCHDOG=1 while recovery mode is hung');
    await until('recovery mode started again', () => readyLines.length === 2);
    assert.notEqual(readyLines[1]!.pid, hung);
    assert.throws(() => process.kill(hung, 0), 'the hung recovery process is gone');
    stopped = null;
    const mark = performance.now();
    await until('beats again', () => systemd.pingsAfter(mark) > 0);
  } finally {
    if (stopped !== null) {
      try {
        process.kill(stopped, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    systemd.close();
    await cleanup();
  }
});
