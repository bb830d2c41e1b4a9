// Authenticated GET /v1/status (mTLS, paired owner) against the public GET /v1/info on the
// same unit over the same kind of TLS keep-alive connections, in the same run; and the time
// of one pairing over USB and over the network.
import { Agent, request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fingerprintOf, generateIdentityKeyPem, selfSignedCertificatePem } from '../device-firmware-ts/src/index.js';
import { startSimUnit } from '../testbed/sim-unit.js';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { SerialRpcClient } from '../device-firmware-ts/test/helpers/serial-rpc-client.js';

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

/** N keep-alive connections, each sending requests back to back, for `seconds`. */
async function load(url: string, client: Creds, seconds: number, connections: number): Promise<{ rps: number; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, rejectUnauthorized: false, key: client.keyPem, cert: client.certPem });
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const status = await get(agent, url).catch(() => 0);
        if (status === 200) ok++;
        else errors++;
      }
    }),
  );
  const rps = ok / ((performance.now() - t0) / 1000);
  agent.destroy();
  return { rps, errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runAuthBench(seconds = 5, connections = 16, pairings = 7): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-bench-auth-'));
  const unit = await startSimUnit({ dataDir: dir, extraArgs: ['--pairing-window', '30'] });
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
      const status = await get(agent, `${base}/v1/pairing`, 'POST', JSON.stringify({ operatorName: `net ${i}`, role: 'staff' }));
      netMs.push(performance.now() - t);
      agent.destroy();
      if (status !== 200) throw new Error(`network pairing answered ${status}`);
    }
    // Warm up both paths, then measure the baseline and the authenticated route alternately.
    await load(`${base}/v1/info`, owner, 1, connections);
    await load(`${base}/v1/status`, owner, 1, connections);
    const info = await load(`${base}/v1/info`, owner, seconds, connections);
    const status = await load(`${base}/v1/status`, owner, seconds, connections);
    const ratio = status.rps / info.rps;
    console.log(`TLS 1.3 keep-alive, ${connections} connections, ${seconds} s each, same unit`);
    console.log(`  GET /v1/info   (public, baseline)      ${info.rps.toFixed(0).padStart(7)} req/s  errors ${info.errors}`);
    console.log(`  GET /v1/status (mTLS, paired owner)    ${status.rps.toFixed(0).padStart(7)} req/s  errors ${status.errors}`);
    console.log(`  ratio authenticated / baseline          ${ratio.toFixed(2)}  (target >= 0.5) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}`);
    console.log(`  pairing over USB (serial pair), median of ${pairings}:      ${median(usbMs).toFixed(1)} ms`);
    console.log(`  pairing over the network (new mTLS connection + POST), median of ${pairings}: ${median(netMs).toFixed(1)} ms`);
  } finally {
    await unit.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
