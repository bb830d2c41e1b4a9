import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SupportTunnelState } from '@pitwall/protocol';
import type { Logger } from '../logger.js';

export interface TunnelOptions {
  relay: { host: string; port: number; user: string; listenPort: number };
  keyFile: string;
  knownHostsFile: string;
  /** The unit-side port the relay's listen port leads to (the export's sshd). */
  localPort: number;
  keepaliveS: number;
  log: Logger;
  onState(state: SupportTunnelState, error: string | null): void;
  /** Back-off after a failed or dropped connection: 0.1 s doubling to this (default 60 s). */
  maxBackoffMs?: number;
}

export interface Tunnel {
  stop(): Promise<void>;
}

/** The arguments of the OpenSSH client: nothing read from ~/.ssh or /etc/ssh, the relay's key pinned. */
export function tunnelArgs(o: Pick<TunnelOptions, 'relay' | 'keyFile' | 'knownHostsFile' | 'localPort' | 'keepaliveS'>): string[] {
  const { relay } = o;
  return [
    '-F', '/dev/null',
    '-N', '-T', '-v',
    '-R', `127.0.0.1:${relay.listenPort}:127.0.0.1:${o.localPort}`,
    '-p', String(relay.port),
    '-i', o.keyFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${o.knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'UpdateHostKeys=no',
    '-o', 'ExitOnForwardFailure=yes',
    '-o', `ServerAliveInterval=${o.keepaliveS}`,
    '-o', 'ServerAliveCountMax=3',
    '-o', 'ConnectTimeout=10',
    // AES-GCM first: the export's SFTP already encrypts, and AES-NI makes the outer layer cheap.
    '-o', 'Ciphers=aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com',
    '-o', 'PermitLocalCommand=no',
    '-o', 'ForwardAgent=no',
    '-o', 'ForwardX11=no',
    `${relay.user}@${relay.host}`,
  ];
}

/** known_hosts line pinning the relay's host key (`[host]:port` unless the port is 22). */
export function knownHostsLine(host: string, port: number, hostKey: string): string {
  return `${port === 22 ? host : `[${host}]:${port}`} ${hostKey}\n`;
}

// ssh -v's lines worth keeping; the rest of its debug output is noise.
const FIRST_BACKOFF_MS = 100;
const FORWARD_OK = /remote forward success for: listen 127\.0\.0\.1:\d+/;
const WORTH_LOGGING = /^(?!debug1:)|Authenticated to|remote forward|Connection|Host key|refused|failed|denied|timeout/i;

/**
 * Keeps `ssh -N -R` to the relay running until stop(): the tunnel is "up" once the relay
 * confirms the remote forward; when ssh exits (refused, forward failed, keepalives missed,
 * relay gone) it is started again after a back-off (0.1 s doubling to maxBackoffMs, reset after a
 * connection that held for a minute).
 */
export function startTunnel(o: TunnelOptions): Tunnel {
  const maxBackoff = o.maxBackoffMs ?? 60_000;
  // Short at first: the first dial of a fresh key usually races the relay's registration of it.
  let backoff = FIRST_BACKOFF_MS;
  let child: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const connect = () => {
    timer = null;
    if (stopped) return;
    o.onState('connecting', null);
    const started = Date.now();
    let lastError: string | null = null;
    const c = spawn('ssh', tunnelArgs(o), { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    createInterface({ input: c.stderr! }).on('line', (line) => {
      if (FORWARD_OK.test(line)) {
        o.log.info(`support tunnel up: relay ${o.relay.host}:${o.relay.port} listens on 127.0.0.1:${o.relay.listenPort}`);
        o.onState('up', null);
        return;
      }
      if (!WORTH_LOGGING.test(line)) return;
      if (!line.startsWith('debug1:')) lastError = line.slice(0, 300);
      o.log.debug(`ssh: ${line.slice(0, 300)}`);
    });
    c.on('error', (err) => {
      lastError = `ssh could not start: ${err.message}`;
    });
    c.on('close', (code, signal) => {
      if (child === c) child = null;
      if (stopped) return;
      if (Date.now() - started > 60_000) backoff = FIRST_BACKOFF_MS;
      const why = lastError ?? `ssh exited (${signal ?? code})`;
      o.log.warn(`support tunnel down: ${why}; again in ${backoff / 1000} s`);
      o.onState('backoff', why);
      timer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    });
  };
  connect();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = child;
      child = null;
      if (c && c.exitCode === null && c.signalCode === null) {
        const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 2000);
        await closed;
        clearTimeout(t);
      }
      o.onState('down', null);
    },
  };
}
