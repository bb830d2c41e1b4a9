import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The postrotate command of the shipped logrotate config, as systemd gets it. */
export const SYSTEMCTL = '/usr/bin/systemctl';
export const RELOAD_ARGV = ['kill', '--kill-whom=main', '--signal=HUP', 'pitwall-device.service'];

/**
 * Stands in for systemd in tests that run the real logrotate without systemd as PID 1: a script
 * that records its argv and, asked exactly what the config asks, sends SIGHUP to `mainPid` (what
 * systemd does for `systemctl kill --kill-whom=main`). Point the config at `path` instead of
 * SYSTEMCTL.
 */
export async function systemctlStub(dir: string, mainPid: number): Promise<{ path: string; calls(): Promise<string[][]> }> {
  const path = join(dir, 'systemctl');
  const log = join(dir, 'systemctl.calls');
  await writeFile(
    path,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n[ "$*" = '${RELOAD_ARGV.join(' ')}' ] || exit 1\nexec kill -HUP ${mainPid}\n`,
  );
  await chmod(path, 0o755);
  return {
    path,
    calls: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')),
  };
}
