import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What systemd's notify socket received: each datagram's text and when it came. */
export interface NotifySocket {
  /** For NOTIFY_SOCKET. */
  readonly path: string;
  readonly received: Array<{ at: number; text: string }>;
  /** Every datagram so far, one per line. */
  text(): string;
  /** The WATCHDOG=1 datagrams that came after `at` (performance.now()). */
  pingsAfter(at: number): number;
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * systemd's side of sd_notify: a unix datagram socket in `dir`, read by socat (Node cannot open
 * one). Resolves once the socket exists.
 */
export async function listenAsSystemd(dir: string): Promise<NotifySocket> {
  const path = join(dir, 'notify.sock');
  const listener = spawn('socat', ['-u', `UNIX-RECV:${path}`, '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const received: Array<{ at: number; text: string }> = [];
  listener.stdout.setEncoding('utf8').on('data', (d: string) => received.push({ at: performance.now(), text: d }));
  for (let i = 0; i < 50 && !existsSync(path); i++) await sleep(50);
  if (!existsSync(path)) {
    listener.kill('SIGTERM');
    throw new Error(`socat did not open the notify socket ${path}`);
  }
  return {
    path,
    received,
    text: () => received.map((r) => r.text).join('\n'),
    pingsAfter: (at) => received.filter((r) => r.at > at && /WATCHDOG=1/.test(r.text)).length,
    close: () => void listener.kill('SIGTERM'),
  };
}
