// Discovery benchmark:
// 1. time until all of 20 units in network namespaces are listed by the companion, against
//    the time for 1 unit (target: all 20 within 2 s);
// 2. /v1/info requests per second of a unit against a bare node:http server answering the
//    same JSON, both measured in this run (target: ratio >= 0.7).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSimLan, lanPrefix } from '../testbed/netns.js';
import { startReadyProcess } from '../testbed/ready-process.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { get } from 'node:https';
import { measureThroughput } from './http-throughput.js';

/** The unit's public /v1/info over TLS (its certificate is self-signed: the pin is not checked here). */
function fetchInfo(url: string): Promise<{ body: string; version: string; commit: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ body, version: String(res.headers['pitwall-firmware-version'] ?? ''), commit: String(res.headers['pitwall-firmware-commit'] ?? '') }));
    }).on('error', reject);
  });
}

const LISTENER = fileURLToPath(new URL('./discovery-listener.ts', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeToList(netns: string, expect: number): Promise<number> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--import', 'tsx', LISTENER, String(expect)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = NaN;
  for await (const line of createInterface({ input: child.stdout })) {
    const msg = JSON.parse(line) as { online?: number; ms?: number; timeout?: boolean };
    if (msg.timeout) throw new Error(`only some of ${expect} units listed within 30 s`);
    if (msg.online !== undefined && msg.online >= expect) last = msg.ms!;
  }
  return last;
}

async function discoveryTimes(work: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('discovery: skipped — network namespaces need root');
    return;
  }
  const lan = createSimLan(lanPrefix('bnc'));
  const units: SimUnit[] = [];
  try {
    const addUnits = async (n: number) => {
      const batch = [];
      for (let i = 0; i < n; i++) {
        const dataDir = join(work, `unit-${units.length + i}`);
        mkdirSync(dataDir);
        batch.push(startSimUnit({ dataDir, netns: lan.addUnit().ns }, 60000));
      }
      units.push(...(await Promise.all(batch)));
    };
    await addUnits(1);
    const one = [];
    for (let i = 0; i < 3; i++) one.push(await timeToList(lan.hostNs, 1));
    await addUnits(19);
    const twenty = [];
    for (let i = 0; i < 3; i++) twenty.push(await timeToList(lan.hostNs, 20));
    const t1 = median(one);
    const t20 = median(twenty);
    console.log(`time to list  1 unit : ${t1.toFixed(0)} ms (median of 3: ${one.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`time to list 20 units: ${t20.toFixed(0)} ms (median of 3: ${twenty.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`ratio 20/1: ${(t20 / t1).toFixed(2)}   target: 20 units within 2000 ms -> ${t20 <= 2000 ? 'met' : 'NOT met'}`);
  } finally {
    await Promise.all(units.map((u) => u.stop().catch(() => undefined)));
    lan.destroy();
  }
}

async function infoThroughput(work: string): Promise<void> {
  const dataDir = join(work, 'http-unit');
  mkdirSync(dataDir);
  const unit = await startSimUnit({ dataDir });
  const unitUrl = `https://127.0.0.1:${unit.ready.apiPort}/v1/info`;
  const res = await fetchInfo(unitUrl);
  const body = res.body;
  const bare = await startReadyProcess<{ port: number }>(
    [process.execPath, '--import', 'tsx', fileURLToPath(new URL('./bare-info-server.ts', import.meta.url)), body, res.version, res.commit],
    { label: 'bare server' },
  );
  const bareUrl = `https://127.0.0.1:${bare.ready.port}/v1/info`;
  try {
    await measureThroughput(unitUrl, 2); // warm both up
    await measureThroughput(bareUrl, 2);
    const unitRuns = [];
    const bareRuns = [];
    for (let i = 0; i < 3; i++) {
      unitRuns.push((await measureThroughput(unitUrl, 4)).requestsPerSecond);
      bareRuns.push((await measureThroughput(bareUrl, 4)).requestsPerSecond);
    }
    const u = median(unitRuns);
    const b = median(bareRuns);
    console.log(`/v1/info unit: ${u.toFixed(0)} req/s   bare node:https: ${b.toFixed(0)} req/s (medians of 3, 16 keep-alive connections)`);
    console.log(`ratio unit/bare: ${(u / b).toFixed(2)}   target >= 0.7 -> ${u / b >= 0.7 ? 'met' : 'NOT met'}`);
  } finally {
    await bare.stop();
    await unit.stop();
  }
}

export async function runDiscoveryBench(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-'));
  try {
    await discoveryTimes(work);
    await infoThroughput(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
