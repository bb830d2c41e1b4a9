import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { injectSimFault } from '../../../../testbed/sim-gpio.js';
import { listenAsSystemd } from '../../helpers/notify-socket.js';
import { tempDir } from '../../helpers/paths.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * pitwall-recovery.service starts the runtime itself (no launcher), Type=notify with WatchdogSec:
 * the runtime must say READY=1 and ping WATCHDOG=1 on its own, from its event loop, so that a
 * hung runtime goes silent and systemd kills and restarts it. Here the runtime runs as systemd
 * would start it (NOTIFY_SOCKET, WATCHDOG_USEC for a 1 s WatchdogSec) and its loop is blocked the
 * way the hang watchdog's test blocks it (`inject hang`); its own hang watchdog is off, so only
 * systemd's could end the hang.
 */
test('started directly by systemd (the recovery system), the runtime sends READY=1 once up, pings WATCHDOG=1 at half WatchdogSec for its own pid, and stops pinging when its event loop is blocked', async () => {
  const { dir, cleanup } = await tempDir('recovery-system-watchdog');
  const systemd = await listenAsSystemd(dir);
  let unit: SimUnit | null = null;
  try {
    const dataDir = join(dir, 'unit');
    unit = await startSimUnit({ dataDir, extraArgs: ['--hang-timeout', '0'], env: { NOTIFY_SOCKET: systemd.path, WATCHDOG_USEC: '1000000' } });
    const pid = unit.process.pid!;
    const until = async (what: string, ok: () => boolean, ms = 20_000) => {
      const deadline = performance.now() + ms;
      while (!ok()) {
        if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms; notify: ${JSON.stringify(systemd.text())}; unit: ${unit?.output.join('')}`);
        await sleep(100);
      }
    };
    await until('READY=1', () => /READY=1/.test(systemd.text()));
    assert.match(systemd.text(), /STATUS=up, API at https:\/\/127\.0\.0\.1:\d+\//);
    assert.match(systemd.text(), new RegExp(`MAINPID=${pid}\\b`), 'sent for the runtime, the service main process');
    // Pinged on its own, every 0.5 s: at least three in 2.5 s.
    const from = performance.now();
    await until('three pings', () => systemd.pingsAfter(from) >= 3, 10_000);

    await injectSimFault(dataDir, 'hang');
    const blockedBy = performance.now() + 100; // the runtime blocks 50 ms after answering
    await sleep(4000);
    // A ping whose systemd-notify was spawned just before the block may land later on a loaded
    // machine; after that, 2.5 s in which a live loop pings five times.
    assert.equal(systemd.pingsAfter(blockedBy + 1500), 0, `no WATCHDOG=1 while the event loop is blocked: ${JSON.stringify(systemd.received.filter((r) => r.at > blockedBy))}`);
    assert.equal(unit.process.exitCode, null, 'still there, hung: ending it is systemd\'s job (WatchdogSec)');
  } finally {
    await unit?.stop('SIGKILL');
    systemd.close();
    await cleanup();
  }
});
