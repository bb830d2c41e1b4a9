import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { lanPrefix } from './netns.js';
import { bridgeLoopbackPort } from './netns-port-bridge.js';
import { startReadyProcess } from './ready-process.js';
import { DEVICE_CLI, type ReadyEvent, type SimUnit } from './sim-unit.js';

const RELAY_RESOURCES = fileURLToPath(new URL('../resources/relay/', import.meta.url));
/** The relay and the unit's export both run as `nobody`: an account every Debian has, not locked under UsePAM no. */
export const SUPPORT_TEST_USER = 'nobody';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `argv` in namespace `ns`, feeding `input`; never throws on a failed command. */
export function runIn(ns: string, argv: string[], input = '', timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => (clearTimeout(t), resolve({ code, stdout, stderr })));
    c.stdin.on('error', () => undefined); // the command may exit before reading it all (EPIPE)
    c.stdin.end(input);
  });
}

/**
 * A support relay for tests: the shipped relay sshd config (resources/relay/sshd_config) run by a
 * real sshd in its own network namespace, joined by a veth pair to the unit's namespace. sshd's
 * StrictModes refuses anything under /tmp, so the relay runs in a private mount namespace with
 * its folder bind-mounted onto /srv (nothing changes outside that namespace). Support staff sit
 * on the relay: `sftp()` runs there against the tunnel's listen port.
 */
export interface SupportRelay {
  readonly unitNs: string;
  readonly relayNs: string;
  readonly relayAddress: string;
  readonly relayPort: number;
  /** The relay's host key, as the unit pins it. */
  readonly hostKey: string;
  readonly listenPort: number;
  /** Folder of this rig (relay files, staff key, the unit's /srv). */
  readonly dir: string;
  /** Bind-mounted onto the unit's /srv: exportRoot is /srv/support. */
  readonly unitSrv: string;
  readonly staffKeyFile: string;
  readonly staffPublicKey: string;
  /** Settings of the unit's `support` section for this relay. */
  unitSupportConfig(extra?: Record<string, unknown>): Record<string, unknown>;
  /** The unit's key authorised by resources/relay/register-unit-key.sh. */
  register(unitId: string, publicKey: string, until: string): Promise<Run>;
  /** sftp through the tunnel, from the relay, pinning the export's host key; `batch` is sftp's -b script. */
  sftp(batch: string, exportHostKey: string, extraArgs?: string[]): Promise<Run>;
  /** An interactive sftp session that stays open until its stdin ends or the unit closes it. */
  openSftp(exportHostKey: string): ChildProcess;
  /** The relay's sshd log so far. */
  relayLog(): string;
  destroy(): void;
}

export async function startSupportRelay(tag = 'sup'): Promise<SupportRelay> {
  const prefix = lanPrefix(tag);
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-support-relay-'));
  chmodSync(dir, 0o755);
  const relayDir = join(dir, 'relay');
  const unitSrv = join(dir, 'unit-srv');
  mkdirSync(join(relayDir, 'authorized_keys'), { recursive: true, mode: 0o755 });
  mkdirSync(join(unitSrv, 'support'), { recursive: true, mode: 0o755 });
  const unitNs = `${prefix}-unit`;
  const relayNs = `${prefix}-relay`;
  const subnet = 100 + Math.floor(Math.random() * 150);
  const relayAddress = `10.${subnet}.77.1`;
  const relayPort = 2200;
  const listenPort = 20000 + Math.floor(Math.random() * 10000);
  const ip = (...a: string[]) => execFileSync('ip', a, { stdio: ['ignore', 'ignore', 'pipe'] });
  let sshd: ChildProcess | null = null;
  const log: string[] = [];
  const destroy = () => {
    if (sshd && sshd.exitCode === null) sshd.kill('SIGTERM');
    for (const ns of [unitNs, relayNs]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* not made */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip('netns', 'add', unitNs);
    ip('netns', 'add', relayNs);
    ip('link', 'add', `${prefix}u`, 'netns', unitNs, 'type', 'veth', 'peer', 'name', `${prefix}r`, 'netns', relayNs);
    ip('-n', unitNs, 'addr', 'add', `10.${subnet}.77.2/24`, 'dev', `${prefix}u`);
    ip('-n', relayNs, 'addr', 'add', `${relayAddress}/24`, 'dev', `${prefix}r`);
    for (const [ns, dev] of [[unitNs, `${prefix}u`], [relayNs, `${prefix}r`]] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'relay', '-f', join(relayDir, 'host_ed25519')]);
    const staffKeyFile = join(dir, 'staff_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'support staff', '-f', staffKeyFile]);
    const hostKey = readFileSync(join(relayDir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    // The shipped config with this rig's paths, port and account; every policy line as shipped.
    const config = readFileSync(join(RELAY_RESOURCES, 'sshd_config'), 'utf8')
      .replaceAll('/etc/pitwall-relay', '/srv')
      .replace(/^Port 22$/m, `Port ${relayPort}\nListenAddress ${relayAddress}`)
      .replace(/^PidFile .*$/m, 'PidFile /srv/sshd.pid')
      .replace(/^AllowGroups .*$/m, 'AllowGroups nogroup')
      .replace(/^Match User pitwall-relay$/m, `Match User ${SUPPORT_TEST_USER}`);
    writeFileSync(join(relayDir, 'sshd_config'), config, { mode: 0o644 });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sshd = spawn('ip', ['netns', 'exec', relayNs, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind '${relayDir}' /srv && exec /usr/sbin/sshd -D -e -f /srv/sshd_config`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const lines = createInterface({ input: sshd.stderr! });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`relay sshd did not start: ${log.join('\n')}`)), 10_000);
      sshd!.once('exit', (code) => (clearTimeout(t), reject(new Error(`relay sshd exited ${code}: ${log.join('\n')}`))));
      lines.on('line', (l) => {
        log.push(l);
        if (!/Server listening on/.test(l)) return;
        clearTimeout(t);
        resolve();
      });
    });
    sshd.removeAllListeners('exit');
    const staffPublicKey = readFileSync(`${staffKeyFile}.pub`, 'utf8').trim();
    const knownHosts = (exportHostKey: string) => {
      const f = join(dir, 'staff_known_hosts');
      writeFileSync(f, `[127.0.0.1]:${listenPort} ${exportHostKey}\n`);
      return f;
    };
    const sftpArgs = (exportHostKey: string) => ['-F', '/dev/null', '-P', String(listenPort), '-i', staffKeyFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts(exportHostKey)}`, '-o', 'IdentitiesOnly=yes'];
    return {
      unitNs,
      relayNs,
      relayAddress,
      relayPort,
      hostKey,
      listenPort,
      dir,
      unitSrv,
      staffKeyFile,
      staffPublicKey,
      unitSupportConfig: (extra = {}) => ({
        relay: { host: relayAddress, port: relayPort, user: SUPPORT_TEST_USER, hostKey, listenPort },
        staffKeys: [staffPublicKey],
        exportRoot: '/srv/support',
        exportPort: 2222,
        exportUser: SUPPORT_TEST_USER,
        ...extra,
      }),
      register: (unitId, publicKey, until) =>
        runIn(relayNs, ['bash', join(RELAY_RESOURCES, 'register-unit-key.sh'), 'add', '--unit', unitId, '--port', String(listenPort), '--until', until, '--keys', join(relayDir, 'authorized_keys', SUPPORT_TEST_USER)], `${publicKey}\n`),
      sftp: (batch, exportHostKey, extraArgs = []) => runIn(relayNs, ['sftp', ...sftpArgs(exportHostKey), ...extraArgs, '-b', '-', `${SUPPORT_TEST_USER}@127.0.0.1`], batch),
      openSftp: (exportHostKey) => spawn('ip', ['netns', 'exec', relayNs, 'sftp', ...sftpArgs(exportHostKey), `${SUPPORT_TEST_USER}@127.0.0.1`], { stdio: ['pipe', 'pipe', 'pipe'] }),
      relayLog: () => log.join('\n'),
      destroy,
    };
  } catch (err) {
    destroy();
    throw err;
  }
}

export interface SupportUnit {
  readonly unit: SimUnit;
  /** https://127.0.0.1:PORT reaching the unit's API in its namespace. */
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * A sim unit in the rig's unit namespace, with its /srv bound to the rig's unit-srv folder (the
 * export's chroot must sit on root-owned folders only) and its API bridged to this namespace's
 * loopback.
 */
export async function startSupportUnit(rig: SupportRelay, dataDir: string, support: Record<string, unknown>): Promise<SupportUnit> {
  const configFile = join(dataDir, 'unit.json');
  writeFileSync(configFile, JSON.stringify({ support }));
  const cmd = ['exec', process.execPath, DEVICE_CLI, 'sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1', '--no-mdns', '--config', configFile].map((a) => `'${a}'`).join(' ').replace("'exec'", 'exec');
  const unit = await startReadyProcess<ReadyEvent>(['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind '${rig.unitSrv}' /srv && ${cmd}`], { netns: rig.unitNs, label: 'support unit' });
  const bridge = await bridgeLoopbackPort(rig.unitNs, unit.ready.apiPort, dataDir);
  // The outer end listens a moment after the bridge returns.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(unit.ready.apiPort, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    await sleep(50);
  }
  return {
    unit,
    base: `https://127.0.0.1:${unit.ready.apiPort}`,
    async stop() {
      bridge.close();
      await unit.stop();
    },
  };
}
