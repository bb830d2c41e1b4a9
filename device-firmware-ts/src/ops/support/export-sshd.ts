import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../logger.js';
import { makeSshKey } from './support-key.js';

export interface ExportSshdOptions {
  /** Root-owned folder: `export/` (the chroot) and `sshd/` (config, host key, authorised staff keys). */
  root: string;
  port: number;
  user: string;
  staffKeys: string[];
  log: Logger;
  /** A support connection opened or closed (from sshd's own log lines). */
  onConnection(event: { kind: 'open' | 'close' | 'refused'; detail: string }): void;
}

export interface ExportSshd {
  readonly hostKey: string;
  /** Why sessions will be refused (the export's path is not root-owned), or null. */
  readonly problem: string | null;
  /** Stops the server and every session it serves. */
  stop(): Promise<void>;
}

export const exportDir = (root: string) => join(root, 'export');

/** Where one export sshd finds its keys and its chroot. */
export interface SshdLayout {
  port: number;
  user: string;
  /** Host key and authorised staff keys. */
  keysDir: string;
  /** Root-owned along its whole path. */
  chroot: string;
  /** Where a session starts inside the chroot (the export's folder), when not its root. */
  startDir?: string;
  pidFile: string;
}

/**
 * The export's sshd: loopback only (reached through the tunnel and nothing else), public keys of
 * support staff only, every session forced into `internal-sftp -R` (read only: no put, rm,
 * mkdir, rename, symlink) chrooted in the export, no TTY, no forwarding of any kind.
 */
export function sshdConfigText(l: SshdLayout): string {
  const sftp = `internal-sftp -R${l.startDir ? ` -d ${l.startDir}` : ''}`;
  return [
    `Port ${l.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(l.keysDir, 'host_ed25519')}`,
    `PidFile ${l.pidFile}`,
    `AuthorizedKeysFile ${join(l.keysDir, 'authorized_keys')}`,
    'AuthorizedPrincipalsFile none',
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'HostbasedAuthentication no',
    'UsePAM no',
    'PermitRootLogin no',
    `AllowUsers ${l.user}`,
    'StrictModes yes',
    'AllowTcpForwarding no',
    'AllowStreamLocalForwarding no',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitTunnel no',
    'PermitTTY no',
    'PermitUserRC no',
    'PermitUserEnvironment no',
    'GatewayPorts no',
    'DisableForwarding yes',
    'MaxAuthTries 3',
    'MaxSessions 4',
    'MaxStartups 4:50:8',
    'LoginGraceTime 20',
    'ClientAliveInterval 10',
    'ClientAliveCountMax 3',
    'LogLevel VERBOSE',
    `Subsystem sftp ${sftp}`,
    `ChrootDirectory ${l.chroot}`,
    `ForceCommand ${sftp}`,
    '',
  ].join('\n');
}

/** The layout under one root-owned folder (the sim's and the tests' spawned sshd). */
export function exportSshdConfig(o: Pick<ExportSshdOptions, 'root' | 'port' | 'user'>): string {
  const keysDir = join(o.root, 'sshd');
  return sshdConfigText({ port: o.port, user: o.user, keysDir, chroot: exportDir(o.root), pidFile: join(keysDir, 'sshd.pid') });
}

/** Writes the host key once (kept across support sessions: staff pin it) and the staff keys; returns the host key. */
export async function prepareSshdKeys(keysDir: string, staffKeys: readonly string[]): Promise<string> {
  const hostKeyFile = join(keysDir, 'host_ed25519');
  // In-process like the support key.
  if (!existsSync(hostKeyFile)) await makeSshKey(hostKeyFile, 'pitwall-support-export');
  await writeFile(join(keysDir, 'authorized_keys'), staffKeys.map((k) => `restrict ${k}\n`).join(''), { mode: 0o644 });
  return (await readFile(`${hostKeyFile}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
}

const ACCEPTED = /Accepted publickey for (\S+) from (\S+) port (\d+) ssh2: (\S+ \S+)/;
const CLOSED = /(Disconnected from user|Connection closed by user|Close session: user) (\S+)/;
const REFUSED = /(Connection closed by authenticating user|Invalid user|User \S+ from \S+ not allowed|Authentication refused|Failed publickey)/;

/** Reads one line of sshd's log: support connections opened, closed and refused. */
export function sshdLogLine(o: Pick<ExportSshdOptions, 'log' | 'onConnection'>, line: string): void {
  let m: RegExpExecArray | null;
  if ((m = ACCEPTED.exec(line))) o.onConnection({ kind: 'open', detail: `${m[1]} from ${m[2]}:${m[3]} with ${m[4]}` });
  else if ((m = CLOSED.exec(line))) o.onConnection({ kind: 'close', detail: line.slice(line.indexOf(m[0])).slice(0, 200) });
  else if (REFUSED.test(line)) o.onConnection({ kind: 'refused', detail: line.slice(0, 200) });
  o.log.debug(`export sshd: ${line.slice(0, 300)}`);
}

/** The pids below `pid` (sshd's per-connection children call setsid, so a process group misses them). */
async function descendants(pid: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const m = /\) \S+ (\d+)/.exec(stat);
    if (m) parent.set(Number(name), Number(m[1]));
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/**
 * Why sshd would refuse to chroot into `dir` (every component root-owned, not group- or
 * world-writable), or null: sshd itself only says so when a session starts, after the tunnel is up.
 */
export async function chrootProblem(dir: string): Promise<string | null> {
  const parts = dir.split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const p = `/${parts.slice(0, i).join('/')}`;
    const st = await stat(p).catch(() => null);
    if (!st) return `${p} does not exist`;
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) return `${p} is not root-owned or is group/world-writable`;
  }
  return null;
}

export async function startExportSshd(o: ExportSshdOptions): Promise<ExportSshd> {
  const dir = join(o.root, 'sshd');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await mkdir(exportDir(o.root), { recursive: true, mode: 0o755 });
  await chmod(exportDir(o.root), 0o755);
  const problem = await chrootProblem(exportDir(o.root));
  if (problem) o.log.warn(`support export: sshd will refuse every session (ChrootDirectory): ${problem}`);
  const hostKey = await prepareSshdKeys(dir, o.staffKeys);
  const configFile = join(dir, 'sshd_config');
  await writeFile(configFile, exportSshdConfig(o), { mode: 0o644 });
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => undefined);
  // No separate `sshd -t`: a config sshd refuses makes it exit at once, and its own words
  // (the last lines it printed) are the error; one process start less before "on" answers.
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines = createInterface({ input: child.stderr! });
  const said: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the export sshd did not start listening in 20 s')), 20_000);
    child.once('error', (err) => (clearTimeout(timer), reject(err)));
    // 'close' comes after the end of its stderr: every line it said is in by then.
    child.once('close', (code) => (clearTimeout(timer), reject(new Error(`the export's sshd did not start (exit ${code}): ${said.join(' ').trim().slice(0, 300)}`))));
    lines.on('line', (line) => {
      if (said.length < 20) said.push(line);
      if (/Server listening on 127\.0\.0\.1/.test(line)) {
        clearTimeout(timer);
        resolve();
      }
      sshdLogLine(o, line);
    });
  });
  child.removeAllListeners('close');
  child.on('error', () => undefined);
  o.log.info(`support export served read-only on 127.0.0.1:${o.port} (host key ${hostKey.slice(0, 40)}...)`);
  return {
    hostKey,
    problem: problem && `the export folder cannot be served: ${problem} (support.exportRoot must be root-owned along its whole path)`,
    async stop() {
      const pid = child.pid;
      if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const sessions = await descendants(pid);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      for (const p of sessions) {
        try {
          process.kill(p, 'SIGTERM');
        } catch {
          /* gone already */
        }
      }
      await exited;
    },
  };
}
