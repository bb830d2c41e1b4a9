// Discovery benchmark:
// 1. time until all of 20 units in network namespaces are listed by the companion, against
//    the time for 1 unit (target: all 20 within 2 s);
// 2. /v1/info requests per second of a unit against a bare node:https server (TLS 1.3 like the
//    unit, which is HTTPS-only) answering the same JSON, both measured in this run (target:
//    ratio >= 0.7); a bare node:http server is measured too, to show what TLS costs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { routeName, Routes } from '@pitwall/protocol';
import { fileURLToPath } from 'node:url';
import { createSimLan, lanPrefix } from '../testbed/netns.js';
import { startReadyProcess, type ReadyProcess } from '../testbed/ready-process.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { get } from 'node:https';
import { compareThroughput, describeRun, formatHeader, formatRow, idleCpuPct, median, ratioOfRounds } from './http-throughput.js';

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
const BARE_SERVER = fileURLToPath(new URL('./bare-info-server.ts', import.meta.url));

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
  const baselines: ReadyProcess<{ port: number }>[] = [];
  try {
    const unitUrl = `https://127.0.0.1:${unit.ready.apiPort}${Routes.info.path}`;
    const res = await fetchInfo(unitUrl);
    const bare = (scheme: 'https' | 'http') =>
      startReadyProcess<{ port: number }>(
        [process.execPath, '--import', 'tsx', BARE_SERVER, res.body, res.version, res.commit, ...(scheme === 'http' ? ['--http'] : [])],
        { label: `bare ${scheme} server` },
      );
    const bareHttps = await bare('https');
    baselines.push(bareHttps);
    const bareHttp = await bare('http');
    baselines.push(bareHttp);
    const idle = await idleCpuPct(unit.process.pid!);
    const c = await compareThroughput([
      { label: 'unit', url: unitUrl, pid: unit.process.pid },
      { label: 'https', url: `https://127.0.0.1:${bareHttps.ready.port}${Routes.info.path}`, pid: bareHttps.process.pid },
      { label: 'http', url: `http://127.0.0.1:${bareHttp.ready.port}${Routes.info.path}`, pid: bareHttp.process.pid },
    ]);
    const r = (label: string) => c.results.get(label)!;
    const ratio = ratioOfRounds(r('unit').rps, r('https').rps);
    const cpuRatio = ratioOfRounds(r('https').cpuUsPerRequest, r('unit').cpuUsPerRequest);
    const verdict = (x: number) => (Number.isNaN(x) ? 'n/a' : x >= 0.7 ? 'met' : 'NOT met');
    console.log(`${routeName(Routes.info)}, ${c.connections} keep-alive connections, ${c.rounds} rounds of ${c.seconds} s (order alternating), medians`);
    console.log(formatHeader());
    console.log(formatRow('unit (Fastify, TLS 1.3)', r('unit')));
    console.log(formatRow('bare node:https (TLS 1.3, same JSON)', r('https')));
    console.log(formatRow('bare node:http (no TLS, for scale)', r('http')));
    console.log(`  unit / bare https: ${ratio.toFixed(2)} in req/s, ${cpuRatio.toFixed(2)} in requests per server CPU second`);
    console.log(`  target >= 0.7: ${verdict(ratio)} in req/s, ${verdict(cpuRatio)} per CPU second`);
    console.log(`  TLS itself: bare https / bare http = ${ratioOfRounds(r('https').rps, r('http').rps).toFixed(2)} in req/s, ${ratioOfRounds(r('http').cpuUsPerRequest, r('https').cpuUsPerRequest).toFixed(2)} per CPU second`);
    if (idle !== null) console.log(`  the unit's CPU includes the rest of the firmware in its process (GNSS replay, IMU, sessions): ${idle.toFixed(1)}% of a core with no requests`);
    for (const line of describeRun(c)) console.log(`  ${line}`);
  } finally {
    for (const b of baselines) await b.stop();
    await unit.stop();
  }
}

/** The /v1/info throughput part alone (no network namespaces, no root). */
export async function runInfoBench(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pitwall-bench-'));
  try {
    await infoThroughput(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
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
