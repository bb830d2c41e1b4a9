import { execFile } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportDir, prepareSshdKeys, sshdConfigText, sshdLogLine, startExportSshd, type ExportSshd, type ExportSshdOptions } from './export-sshd.js';

/** What starting the export needs from support mode (the layout is the server's). */
export type ExportStart = Omit<ExportSshdOptions, 'root'>;

/**
 * How support mode serves its read-only export: the folder it fills, and the sshd that serves
 * it. A sim or test spawns sshd as the runtime's child (it runs as root there); a unit, whose
 * runtime has neither root nor a root-owned path for the chroot, has systemd start the image's
 * pitwall-support-export.service.
 */
export interface ExportServer {
  readonly folder: string;
  start(o: ExportStart): Promise<ExportSshd>;
}

export function spawnedExportServer(exportRoot: string): ExportServer {
  return { folder: exportDir(exportRoot), start: (o) => startExportSshd({ ...o, root: exportRoot }) };
}

/** The unit's layout, named by pitwall-support-export.service and the image's sshd config. */
export const EXPORT_UNIT = 'pitwall-support-export.service';
export const UNIT_EXPORT_DATA = '/var/lib/pitwall/support-export';
export const UNIT_EXPORT_RUN = '/run/pitwall-support-export';
export const UNIT_EXPORT_CONFIG = '/usr/lib/pitwall/support-export/sshd_config';
/** Support staff log in as the runtime's user: the files they read are the runtime's, bound read-only. */
export const UNIT_EXPORT_USER = 'pitwall';

/** The image's export sshd config (install-unit.sh writes it, root-owned: the runtime cannot change it). */
export function unitExportSshdConfig(port: number): string {
  return sshdConfigText({ port, user: UNIT_EXPORT_USER, keysDir: join(UNIT_EXPORT_DATA, 'sshd'), chroot: join(UNIT_EXPORT_RUN, 'chroot'), startDir: '/export', pidFile: join(UNIT_EXPORT_RUN, 'sshd.pid') });
}

export interface SystemdExportOptions {
  systemctl?: string;
  data?: string;
  run?: string;
  config?: string;
  pollMs?: number;
}

function systemctl(bin: string, verb: 'start' | 'stop'): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['--no-ask-password', verb, EXPORT_UNIT], { timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      reject(new Error(`systemctl ${verb} ${EXPORT_UNIT} failed: ${(stderr || err.message).trim().slice(0, 300)}`));
    });
  });
}

/** The export through systemd; sshd's log file is read for the audit of support connections. */
export function systemdExportServer(s: SystemdExportOptions = {}): ExportServer {
  const bin = s.systemctl ?? 'systemctl';
  const data = s.data ?? UNIT_EXPORT_DATA;
  const run = s.run ?? UNIT_EXPORT_RUN;
  return {
    folder: join(data, 'export'),
    async start(o) {
      const text = await readFile(s.config ?? UNIT_EXPORT_CONFIG, 'utf8').catch(() => '');
      const port = /^Port (\d+)$/m.exec(text)?.[1];
      if (!port) throw new Error(`the image has no support export config (${s.config ?? UNIT_EXPORT_CONFIG})`);
      if (Number(port) !== o.port) throw new Error(`support.exportPort is ${o.port} but the image's export sshd listens on ${port}: set support.exportPort to ${port}`);
      const keysDir = join(data, 'sshd');
      await mkdir(keysDir, { recursive: true, mode: 0o700 });
      await mkdir(join(data, 'export'), { recursive: true, mode: 0o755 });
      const hostKey = await prepareSshdKeys(keysDir, o.staffKeys);
      await systemctl(bin, 'start');
      let offset = 0;
      let partial = '';
      const drain = async () => {
        const fh = await open(join(run, 'sshd.log'), 'r').catch(() => null);
        if (!fh) return;
        try {
          const buf = Buffer.alloc(64 * 1024);
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
            if (bytesRead === 0) break;
            offset += bytesRead;
            const lines = (partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
            partial = lines.pop() ?? '';
            for (const line of lines) sshdLogLine(o, line);
          }
        } finally {
          await fh.close();
        }
      };
      let draining = Promise.resolve();
      const timer = setInterval(() => (draining = draining.then(drain)), s.pollMs ?? 500);
      o.log.info(`support export served read-only on 127.0.0.1:${o.port} by ${EXPORT_UNIT} (host key ${hostKey.slice(0, 40)}...)`);
      return {
        hostKey,
        problem: null,
        async stop() {
          clearInterval(timer);
          await (draining = draining.then(drain));
          await systemctl(bin, 'stop');
        },
      };
    },
  };
}
