import { systemdNotifier, type BootNotifier } from './boot-notify.js';

/**
 * The WatchdogSec systemd set for this process, in ms (sd_watchdog_enabled): WATCHDOG_USEC, for
 * this pid when WATCHDOG_PID names one; null when systemd is not watching it.
 */
export function systemdWatchdogMs(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return null;
  return usec / 1000;
}

export interface SystemdLinkOptions {
  /** STATUS= sent with READY=1. */
  status: string;
  env?: NodeJS.ProcessEnv;
  notifier?: BootNotifier;
}

/**
 * The runtime's side of systemd when systemd starts it directly (pitwall-recovery.service,
 * Type=notify, no launcher): READY=1 now, then WATCHDOG=1 at half of WatchdogSec from a
 * main-thread timer, so a blocked event loop stops the pings and systemd kills and restarts the
 * process. Null when not started by systemd with a notify socket.
 */
export function linkToSystemd(o: SystemdLinkOptions): { stop(): void; pingEveryMs: number | null } | null {
  const env = o.env ?? process.env;
  if (!env.NOTIFY_SOCKET) return null;
  const notifier = o.notifier ?? systemdNotifier();
  notifier.ready(o.status);
  const watchdogMs = systemdWatchdogMs(env);
  if (watchdogMs === null) return { stop: () => {}, pingEveryMs: null };
  const pingEveryMs = Math.max(100, watchdogMs / 2);
  notifier.watchdog();
  const timer = setInterval(() => notifier.watchdog(), pingEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer), pingEveryMs };
}
