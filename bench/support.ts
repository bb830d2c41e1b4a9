// Support mode (needs root: network namespaces, a real sshd relay, a chrooted export).
// 1. From "support on" (the owner's POST, the relay registering the unit's fresh key at once) to
//    the export answering an sftp `ls` through the tunnel, against a bare `ssh -N -R` (a key
//    already registered, the export's sshd already running) plus the same sftp to the same relay.
//    Goal <= 1.2x.
// 2. Download rate of the export's files through the support tunnel against plain sftp of the same
//    files over the same relay: a bare `ssh -N -R` (same cipher list as the unit's tunnel) to a
//    plain sshd of the export's kind, fetched from the relay like support staff do. Goal >= 0.9x.
//    Also printed: the same files straight from the unit's link (no relay, one encryption less).
// Start-up: median of per-round ratios. Download: both tunnels up at once, the same files fetched
// through each back to back (order alternating), median of the pairs' ratios: a pair shares the
// machine's load of the moment, so a noisy neighbour moves both sides of it alike.
// All sides measured in the same run. BENCH_SFTP_OPTS (e.g.
// "-B 262144 -R 128") is handed to every sftp of the run alike, to try request sizes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Routes, supportStatus } from '../protocol/src/index.js';
import { exportSshdConfig } from '../device-firmware-ts/src/ops/support/export-sshd.js';
import { runIn, startSupportRelay, startSupportUnit, SUPPORT_TEST_USER, type SupportRelay } from '../testbed/support-relay.js';
import { https, makeOperator, pairOverSerial } from '../device-firmware-ts/test/helpers/https-client.js';
import { median } from './http-throughput.js';

const FILES = 4;
const FILE_MB = 16;
const ROUNDS = 5;
/** Download pairs (support tunnel, bare tunnel) per round, back to back, order alternating. */
const PAIRS = 3;
/** The unit's tunnel's cipher list (support-tunnel.ts), so both tunnels encrypt alike. */
const TUNNEL_CIPHERS = 'aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com';

async function untilOk(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
  }
}

/** The export's kind of sshd, serving a copy of the same files on the unit's link address (no tunnel). */
async function startPlainSshd(rig: SupportRelay, address: string, port: number, staffKey: string): Promise<ChildProcess> {
  const root = join(rig.unitSrv, 'plain');
  mkdirSync(join(root, 'sshd'), { recursive: true, mode: 0o755 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'sshd', 'host_ed25519')]);
  writeFileSync(join(root, 'sshd', 'authorized_keys'), `restrict ${staffKey}\n`, { mode: 0o644 });
  const config = exportSshdConfig({ root: '/srv/plain', port, user: SUPPORT_TEST_USER }).replace('ListenAddress 127.0.0.1', `ListenAddress ${address}\nListenAddress 127.0.0.1`);
  writeFileSync(join(root, 'sshd', 'sshd_config'), config, { mode: 0o644 });
  const c = spawn('ip', ['netns', 'exec', rig.unitNs, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind '${rig.unitSrv}' /srv && exec /usr/sbin/sshd -D -e -f /srv/plain/sshd/sshd_config`], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    c.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/Server listening on/.test(err)) resolve();
    });
    c.once('exit', () => reject(new Error(`plain sshd: ${err}`)));
  });
  return c;
}

export async function runSupportBench(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('support: needs root (network namespaces, sshd); skipped');
    return;
  }
  const rig = await startSupportRelay('sbn');
  const dataDir = mkdtempSync(join(tmpdir(), 'pitwall-bench-support-'));
  const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-support-dl-'));
  const unitAddress = rig.relayAddress.replace(/\.1$/, '.2');
  let plain: ChildProcess | null = null;
  const tunnels: ChildProcess[] = [];
  const unit = await startSupportUnit(rig, dataDir, rig.unitSupportConfig({ refreshS: 600 }));
  try {
    const owner = await makeOperator('bench owner');
    await pairOverSerial(unit.unit.ready.serialPath, owner, 'owner');
    // The same files on both sides: big "logs" in the unit's log folder (the export mirrors them).
    mkdirSync(join(rig.unitSrv, 'plain', 'export', 'logs'), { recursive: true, mode: 0o755 });
    for (let i = 0; i < FILES; i++) {
      const bytes = randomBytes(FILE_MB * 1024 * 1024);
      writeFileSync(join(dataDir, 'logs', `bench-${i}.log`), bytes);
      writeFileSync(join(rig.unitSrv, 'plain', 'export', 'logs', `bench-${i}.log`), bytes, { mode: 0o644 });
    }
    cpSync(join(dataDir, 'logs', 'pitwall.log'), join(rig.unitSrv, 'plain', 'export', 'logs', 'pitwall.log'));
    plain = await startPlainSshd(rig, unitAddress, 2223, rig.staffPublicKey);
    const plainHostKey = readFileSync(join(rig.unitSrv, 'plain', 'sshd', 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');

    // The bare tunnel's own key, registered once on a second listen port.
    const bareKey = join(work, 'bare_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', bareKey]);
    const barePort = rig.listenPort + 1;
    const reg = await runIn(rig.relayNs, ['bash', join(process.cwd(), 'resources/relay/register-unit-key.sh'), 'add', '--unit', 'bare', '--port', String(barePort), '--until', new Date(Date.now() + 3600_000).toISOString(), '--keys', join(rig.dir, 'relay', 'authorized_keys', SUPPORT_TEST_USER)], readFileSync(`${bareKey}.pub`, 'utf8'));
    if (reg.code !== 0) throw new Error(reg.stderr);
    const knownRelay = join(work, 'known_relay');
    writeFileSync(knownRelay, `[${rig.relayAddress}]:${rig.relayPort} ${rig.hostKey}\n`);

    const sftpAt = (port: number, host: string, hostKey: string, batch: string) => {
      const known = join(work, `known-${port}`);
      writeFileSync(known, `[${host}]:${port} ${hostKey}\n`);
      return runIn(rig.relayNs, ['sftp', '-F', '/dev/null', ...(process.env.BENCH_SFTP_OPTS ?? '').split(' ').filter(Boolean), '-P', String(port), '-i', rig.staffKeyFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${known}`, '-b', '-', `${SUPPORT_TEST_USER}@${host}`], batch, 120_000);
    };
    const download = async (port: number, host: string, hostKey: string): Promise<number> => {
      const to = join(work, `dl-${port}`);
      rmSync(to, { recursive: true, force: true });
      mkdirSync(to);
      const batch = Array.from({ length: FILES }, (_, i) => `get /logs/bench-${i}.log ${to}/`).join('\n');
      const t0 = performance.now();
      const r = await sftpAt(port, host, hostKey, `${batch}\n`);
      const s = (performance.now() - t0) / 1000;
      if (r.code !== 0) throw new Error(`download from ${host}:${port}: ${r.stderr}`);
      return (FILES * FILE_MB) / s;
    };

    const rows: { on: number; bare: number; tunnelRate: number; relayRate: number; directRate: number }[] = [];
    const pairRatios: number[] = [];
    // Support on, the relay registering the key as soon as the unit shows it, until the export answers.
    const supportOn = async (): Promise<{ on: number; hostKey: string }> => {
      const t0 = performance.now();
      const res = await https(unit.base, 'POST', Routes.supportOn.path, { client: owner, body: { durationS: 600 }, timeoutMs: 30_000 });
      const s = supportStatus.parse(JSON.parse(res.body));
      await rig.register(unit.unit.ready.id, s.supportKey!, s.expiresAt!);
      await untilOk('the export through the tunnel', async () => (await sftpAt(rig.listenPort, '127.0.0.1', s.exportHostKey!, 'ls /\n')).code === 0);
      return { on: performance.now() - t0, hostKey: s.exportHostKey! };
    };
    // A bare ssh -N -R from the unit's namespace to the same relay, then the same sftp.
    const bareOn = async (): Promise<{ bare: number; tunnel: ChildProcess }> => {
      const b0 = performance.now();
      const tunnel = spawn('ip', ['netns', 'exec', rig.unitNs, 'ssh', '-F', '/dev/null', '-N', '-R', `127.0.0.1:${barePort}:127.0.0.1:2223`, '-p', String(rig.relayPort), '-i', bareKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownRelay}`, '-o', 'ExitOnForwardFailure=yes', '-o', `Ciphers=${TUNNEL_CIPHERS}`, `${SUPPORT_TEST_USER}@${rig.relayAddress}`], { stdio: 'ignore' });
      tunnels.push(tunnel);
      await untilOk('the bare tunnel', async () => (await sftpAt(barePort, '127.0.0.1', plainHostKey, 'ls /\n')).code === 0);
      return { bare: performance.now() - b0, tunnel };
    };
    for (let round = 0; round < ROUNDS; round++) {
      // Both start-ups in alternating order (a machine getting busier favours neither).
      let sup: { on: number; hostKey: string };
      let bare: { bare: number; tunnel: ChildProcess };
      if (round % 2 === 0) {
        sup = await supportOn();
        bare = await bareOn();
      } else {
        bare = await bareOn();
        sup = await supportOn();
      }
      // With both tunnels up: downloads in back-to-back pairs, order alternating, one ratio per pair.
      const tunnelRates: number[] = [];
      const relayRates: number[] = [];
      for (let k = 0; k < PAIRS; k++) {
        const tunnelFirst = (round + k) % 2 === 0;
        const first = await download(tunnelFirst ? rig.listenPort : barePort, '127.0.0.1', tunnelFirst ? sup.hostKey : plainHostKey);
        const second = await download(tunnelFirst ? barePort : rig.listenPort, '127.0.0.1', tunnelFirst ? plainHostKey : sup.hostKey);
        const [t, r] = tunnelFirst ? [first, second] : [second, first];
        tunnelRates.push(t);
        relayRates.push(r);
        pairRatios.push(t / r);
      }
      const directRate = await download(2223, unitAddress, plainHostKey);
      await https(unit.base, 'POST', Routes.supportOff.path, { client: owner, body: {}, timeoutMs: 30_000 });
      bare.tunnel.kill('SIGTERM');
      await new Promise((resolve) => (bare.tunnel.exitCode === null ? bare.tunnel.once('exit', resolve) : resolve(null)));
      const row = { on: sup.on, bare: bare.bare, tunnelRate: median(tunnelRates), relayRate: median(relayRates), directRate };
      rows.push(row);
      console.log(`round ${round + 1}: support on -> export ${row.on.toFixed(0)} ms, bare ssh -R + sftp ${row.bare.toFixed(0)} ms; download (median of ${PAIRS}) ${row.tunnelRate.toFixed(1)} MB/s through the support tunnel, ${row.relayRate.toFixed(1)} MB/s plain sftp over the relay (bare tunnel), ${directRate.toFixed(1)} MB/s straight from the unit`);
    }
    const onRatio = median(rows.map((r) => r.on / r.bare));
    const rateRatio = median(pairRatios);
    const directRatio = median(rows.map((r) => r.tunnelRate / r.directRate));
    console.log(`support on -> export answering: median ${median(rows.map((r) => r.on)).toFixed(0)} ms vs bare ssh -N -R + sftp ${median(rows.map((r) => r.bare)).toFixed(0)} ms: ${onRatio.toFixed(2)}x (goal <= 1.2x)`);
    console.log(`export download (${FILES} x ${FILE_MB} MiB, ${pairRatios.length} back-to-back pairs): median ${median(rows.map((r) => r.tunnelRate)).toFixed(1)} MB/s through the support tunnel vs ${median(rows.map((r) => r.relayRate)).toFixed(1)} MB/s plain sftp over the same relay (bare ssh -N -R): ${rateRatio.toFixed(2)}x (goal >= 0.9x)`);
    console.log(`  (extra) vs ${median(rows.map((r) => r.directRate)).toFixed(1)} MB/s plain sftp straight from the unit, no relay: ${directRatio.toFixed(2)}x`);
  } finally {
    for (const t of tunnels) if (t.exitCode === null) t.kill('SIGTERM');
    if (plain && plain.exitCode === null) plain.kill('SIGTERM');
    await unit.stop();
    rig.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
