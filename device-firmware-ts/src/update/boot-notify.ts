import { spawn } from 'node:child_process';

/**
 * The launcher's line to whatever watches it: systemd (Type=notify, WatchdogSec) on a unit, the
 * testbed's boot machine in the sim. The launcher relays the runtime's beats: it pings only while
 * the runtime beats, so a hang the launcher itself misses is still caught one level up.
 */
export interface BootNotifier {
  ready(status: string): void;
  watchdog(): void;
  status(text: string): void;
}

/**
 * systemd's notify socket is a datagram socket, which Node cannot open; `systemd-notify` sends
 * for us. `--pid` names this process (the service's main process: the launcher, or the runtime
 * started directly), so the unit needs only `NotifyAccess=all` for the helper's message to be
 * taken as its own.
 */
export function systemdNotifier(): BootNotifier {
  const send = (...assignments: string[]) => {
    const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...assignments], { stdio: 'ignore' });
    child.on('error', (err) => process.stderr.write(`systemd-notify could not run: ${err.message}\n`));
    child.unref();
  };
  return {
    ready: (status) => send('READY=1', `STATUS=${status}`),
    watchdog: () => send('WATCHDOG=1'),
    status: (text) => send(`STATUS=${text}`),
  };
}

/** The sim: the boot machine (testbed) started the launcher with an IPC channel. */
function ipcNotifier(): BootNotifier {
  const send = (notify: string) => {
    if (process.connected) process.send?.({ notify });
  };
  return { ready: (s) => send(`READY=1\nSTATUS=${s}`), watchdog: () => send('WATCHDOG=1'), status: (t) => send(`STATUS=${t}`) };
}

const silent: BootNotifier = { ready: () => {}, watchdog: () => {}, status: () => {} };

/** Picks the notifier from the environment the launcher was started in. */
export function bootNotifier(env: NodeJS.ProcessEnv = process.env): BootNotifier {
  if (env.NOTIFY_SOCKET) return systemdNotifier();
  if (env.PITWALL_BOOT_NOTIFY === 'ipc' && process.send) return ipcNotifier();
  return silent;
}

/** At most one watchdog ping per `everyMs` (the runtime beats every second; systemd needs far fewer). */
export function throttledWatchdog(n: BootNotifier, everyMs: number): () => void {
  let last = 0;
  return () => {
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    n.watchdog();
  };
}
