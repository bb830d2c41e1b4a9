import { execFile } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import type { Nmcli } from './nmcli-runner.js';
import { NmError } from './nmcli-error.js';

/**
 * How a new profile's keyfile (it holds the secret) reaches NetworkManager: written 0600 into
 * `dir`, then `load`ed. Where the runtime may write NetworkManager's folder (a sim, a board run
 * as root) it loads the file in place; on a unit NetworkManager's folder is root's and it loads
 * only root-owned keyfiles, so systemd's pitwall-nm-load@UUID.service copies the runtime's file
 * in (root-owned, only the keys keyfile.ts writes) and loads it.
 */
export interface KeyfileHandOver {
  readonly dir: string;
  load(file: string, uuid: string, what: string): Promise<void>;
}

/** The outbox's folder name under the runtime's data dir (pitwall-nm-load@.service and tmpfiles name it too). */
export const NM_OUTBOX = 'nm-outbox';

export function directHandOver(nmcli: Nmcli, connectionsDir: string): KeyfileHandOver {
  return { dir: connectionsDir, load: async (file, _uuid, what) => void (await nmcli(['connection', 'load', file], what)) };
}

export function systemdHandOver(outbox: string, opts: { systemctl?: string; timeoutMs: number }): KeyfileHandOver {
  return {
    dir: outbox,
    load: (file, uuid, what) =>
      new Promise<void>((resolve, reject) => {
        const unit = `pitwall-nm-load@${uuid}.service`;
        execFile(opts.systemctl ?? 'systemctl', ['--no-ask-password', 'start', unit], { timeout: opts.timeoutMs }, (err, _out, stderr) => {
          // The outbox copy goes whatever happened: NetworkManager's own file is the profile now.
          void unlink(file)
            .catch(() => undefined)
            .then(() => (err ? reject(new NmError('failed', `${what}: ${unit} failed: ${(stderr || err.message).trim().slice(0, 300)}`, null)) : resolve()));
        });
      }),
  };
}
