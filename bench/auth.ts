// Authenticated GET /v1/status (mTLS, paired owner) against the public GET /v1/info on the
// same unit over the same kind of TLS keep-alive connections, in the same run (target: ratio
// >= 0.5); the time of one pairing over USB and over the network; and the rate at which the
// unit refuses a flood of unpaired pairing requests (per-address limits on) with the disk bytes
// it writes per refusal (/proc/PID/io write_bytes, against an idle period of the same length).
// The load generator is autocannon in this process, the unit its own process (see
// http-throughput.ts).
import { Agent, request } from 'node:https';
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { routeName, Routes } from '@pitwall/protocol';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fingerprintOf, generateIdentityKeyPem, selfSignedCertificatePem } from '../device-firmware-ts/src/index.js';
import { startSimUnit } from '../testbed/sim-unit.js';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { SerialRpcClient } from '../device-firmware-ts/test/helpers/serial-rpc-client.js';
import { compareThroughput, describeRun, formatHeader, formatRow, median, ratioOfRounds } from './http-throughput.js';

interface Creds {
  keyPem: string;
  certPem: string;
  fingerprint: string;
}

async function operator(): Promise<Creds> {
  const keyPem = generateIdentityKeyPem();
  const key = createPrivateKey(keyPem);
  return { keyPem, certPem: await selfSignedCertificatePem(key, 'bench'), fingerprint: fingerprintOf(createPublicKey(key)) };
}

function get(agent: Agent, url: string, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes the process made the kernel send to storage so far. */
async function diskWrites(pid: number): Promise<number> {
  return Number(/^write_bytes: (\d+)$/m.exec(await readFile(`/proc/${pid}/io`, 'utf8'))![1]);
}

/**
 * Refused pairings (a client certificate that is not paired, the window closed) at full speed
 * for `seconds`, after an idle period as long: refusals per second, and the unit's disk bytes
 * during each period.
 */
async function refusalFlood(base: string, pid: number, seconds: number) {
  const stranger = await operator();
  const idle0 = await diskWrites(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const idleB = (await diskWrites(pid)) - idle0;
  const before = await diskWrites(pid);
  const r = await autocannon({
    url: `${base}${Routes.pair.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operatorName: 'flood', role: 'owner' }),
    connections: 16,
    duration: seconds,
    tlsOptions: { key: stranger.keyPem, cert: stranger.certPem, rejectUnauthorized: false },
  });
  const floodB = (await diskWrites(pid)) - before;
  return { refusals: r['4xx'], ok: r['2xx'], rps: r['4xx'] / seconds, idleB, floodB, statusCodes: r.statusCodeStats };
}

export async function runAuthBench(pairings = 7): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-bench-auth-'));
  // No session recording: the disk bytes measured are the API's and the logs'.
  const unit = await startSimUnit({ dataDir: dir, extraArgs: ['--pairing-window', '30', '--no-auto-session'] });
  try {
    const base = `https://127.0.0.1:${unit.ready.apiPort}`;
    const owner = await operator();
    const serial = await SerialRpcClient.open(unit.ready.serialPath);
    const usbMs: number[] = [];
    try {
      for (let i = 0; i < pairings; i++) {
        const op = i === 0 ? owner : await operator();
        const t = performance.now();
        const r = await serial.call(i, 'pair', { operatorName: `bench ${i}`, role: i === 0 ? 'owner' : 'staff', operatorCertificate: op.certPem });
        usbMs.push(performance.now() - t);
        if (!('result' in r)) throw new Error(`usb pairing failed: ${JSON.stringify(r)}`);
      }
    } finally {
      await serial.close();
    }
    const netMs: number[] = [];
    for (let i = 0; i < pairings; i++) {
      const op = await operator();
      await pressSimButton(dir, 'pair');
      // A fresh connection per pairing: the TLS handshake with the client certificate is part of it.
      const agent = new Agent({ keepAlive: false, rejectUnauthorized: false, key: op.keyPem, cert: op.certPem });
      const t = performance.now();
      const status = await get(agent, `${base}${Routes.pair.path}`, 'POST', JSON.stringify({ operatorName: `net ${i}`, role: 'staff' }));
      netMs.push(performance.now() - t);
      agent.destroy();
      if (status !== 200) throw new Error(`network pairing answered ${status}`);
    }
    // The baseline and the authenticated route over the same kind of connection (the owner's
    // certificate on both), in alternating rounds.
    const tls = { key: owner.keyPem, cert: owner.certPem };
    const c = await compareThroughput([
      { label: 'info', url: `${base}${Routes.info.path}`, pid: unit.process.pid, tls },
      { label: 'status', url: `${base}${Routes.status.path}`, pid: unit.process.pid, tls },
    ]);
    const info = c.results.get('info')!;
    const status = c.results.get('status')!;
    const ratio = ratioOfRounds(status.rps, info.rps);
    const cpuRatio = ratioOfRounds(info.cpuUsPerRequest, status.cpuUsPerRequest);
    const verdict = (x: number) => (Number.isNaN(x) ? 'n/a' : x >= 0.5 ? 'met' : 'NOT met');
    console.log(`TLS 1.3 keep-alive, ${c.connections} connections, same unit, ${c.rounds} rounds of ${c.seconds} s (order alternating), medians`);
    console.log(formatHeader());
    console.log(formatRow(`${routeName(Routes.info)}   (public, baseline)`, info));
    console.log(formatRow(`${routeName(Routes.status)} (mTLS, paired owner)`, status));
    console.log(`  authenticated / baseline: ${ratio.toFixed(2)} in req/s, ${cpuRatio.toFixed(2)} in requests per unit CPU second`);
    console.log(`  target >= 0.5: ${verdict(ratio)} in req/s, ${verdict(cpuRatio)} per CPU second`);
    for (const line of describeRun(c)) console.log(`  ${line}`);
    console.log(`  pairing over USB (serial pair), median of ${pairings}:      ${median(usbMs).toFixed(1)} ms`);
    console.log(`  pairing over the network (new mTLS connection + POST), median of ${pairings}: ${median(netMs).toFixed(1)} ms`);
    const f = await refusalFlood(base, unit.process.pid!, 10);
    const codes = Object.entries(f.statusCodes ?? {}).map(([code, v]) => `${code}: ${(v as { count: number }).count}`).join(', ');
    console.log(`refused pairings (unpaired key, window closed), 16 connections for 10 s: ${f.refusals} refused (${codes}), ${f.ok} accepted`);
    console.log(`  refusal rate sustained: ${Math.round(f.rps)}/s`);
    console.log(`  unit disk writes: ${f.floodB} B during the flood, ${f.idleB} B in 10 s idle; ${(Math.max(0, f.floodB - f.idleB) / Math.max(1, f.refusals)).toFixed(2)} B per refusal above idle`);
  } finally {
    await unit.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
