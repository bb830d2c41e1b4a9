import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BootNotifier } from '../../../src/update/boot-notify.js';
import { linkToSystemd, systemdWatchdogMs } from '../../../src/update/systemd-link.js';

function recorder(): BootNotifier & { sent: string[] } {
  const sent: string[] = [];
  return { sent, ready: (s) => void sent.push(`READY=1 STATUS=${s}`), watchdog: () => void sent.push('WATCHDOG=1'), status: (t) => void sent.push(`STATUS=${t}`) };
}

test("systemd's watchdog as sd_watchdog_enabled reads it: WATCHDOG_USEC, for this pid only when WATCHDOG_PID names one", () => {
  assert.equal(systemdWatchdogMs({ WATCHDOG_USEC: '30000000' }, 42), 30_000);
  assert.equal(systemdWatchdogMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 30_000);
  assert.equal(systemdWatchdogMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42), null, "another process's watchdog");
  for (const usec of [undefined, '', '0', '-5', 'abc', '1e400', '1.5']) assert.equal(systemdWatchdogMs({ WATCHDOG_USEC: usec }, 42), null, String(usec));
});

test('READY=1 once, then WATCHDOG=1 every half WatchdogSec from a timer; stop ends the pings', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const n = recorder();
  const link = linkToSystemd({ status: 'up', env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' }, notifier: n });
  assert.ok(link);
  assert.equal(link.pingEveryMs, 15_000);
  assert.deepEqual(n.sent, ['READY=1 STATUS=up', 'WATCHDOG=1']);
  t.mock.timers.tick(14_999);
  assert.equal(n.sent.length, 2);
  t.mock.timers.tick(1);
  t.mock.timers.tick(15_000);
  assert.deepEqual(n.sent.slice(2), ['WATCHDOG=1', 'WATCHDOG=1']);
  link.stop();
  t.mock.timers.tick(60_000);
  assert.equal(n.sent.length, 4);
});

test('no notify socket: nothing sent; a notify socket without a watchdog: READY=1 only', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const n = recorder();
  assert.equal(linkToSystemd({ status: 'up', env: { WATCHDOG_USEC: '30000000' }, notifier: n }), null);
  assert.deepEqual(n.sent, []);
  const link = linkToSystemd({ status: 'up', env: { NOTIFY_SOCKET: '/run/x' }, notifier: n });
  assert.equal(link?.pingEveryMs, null);
  t.mock.timers.tick(120_000);
  assert.deepEqual(n.sent, ['READY=1 STATUS=up']);
});
