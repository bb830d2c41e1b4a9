// Keep-alive request throughput of several HTTP(S) servers, measured against each other in
// the same run. Each server runs in its own process; the load generator (autocannon) runs in
// this one, so neither side takes CPU from the other's process. The machine is shared and
// has few cores, so:
// - the servers are measured in rounds, their order reversed every other round (no server is
//   always measured right after another's clean-up), and ratios are medians of per-round
//   ratios;
// - each server's CPU time per request (from /proc) is reported too: it does not depend on
//   the share of the CPU the scheduler gives the benchmark, which requests per second do;
// - the load generator's CPU and what other processes took are printed, so a reader can tell
//   a client-bound or crowded run.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface Target {
  label: string;
  url: string;
  /** The server's process, for its CPU time (Linux /proc); omitted: no CPU figure. */
  pid?: number;
  /** Client key and certificate (mutual TLS). */
  tls?: { key: string; cert: string };
}

export interface TargetResult {
  label: string;
  /** Per round. */
  rps: number[];
  /** Server CPU time per request, microseconds, per round (NaN without a pid or /proc). */
  cpuUsPerRequest: number[];
  /** Load generator CPU, % of one core, per round. */
  clientCpuPct: number[];
  /** Load generator CPU time per request, microseconds, per round. */
  clientUsPerRequest: number[];
  errors: number;
}

export interface Comparison {
  results: Map<string, TargetResult>;
  rounds: number;
  seconds: number;
  connections: number;
  /** Cores of the machine, and how many of them processes outside this benchmark kept busy on average. */
  cores: number;
  othersCores: number | null;
}

export const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process (all its threads), ms; null off Linux or once it has exited. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** CPU a process uses over `ms` with no load on it, % of one core; null off Linux. */
export async function idleCpuPct(pid: number, ms = 2000): Promise<number | null> {
  const before = processCpuMs(pid);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = processCpuMs(pid);
  return before === null || after === null ? null : ((after - before) * 100) / (performance.now() - t0);
}

/** Busy and total CPU time of the whole machine, ms; null off Linux. */
function machineCpuMs(): { busy: number; total: number; cores: number } | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const all = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = all[3]! + (all[4] ?? 0);
    const total = all.reduce((a, b) => a + b, 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS, cores: lines.filter((l) => /^cpu\d/.test(l)).length };
  } catch {
    return null;
  }
}

async function once(t: Target, seconds: number, connections: number) {
  return autocannon({ url: t.url, connections, duration: seconds, pipelining: 1, ...(t.tls ? { tlsOptions: t.tls } : {}) });
}

/** Measures every target in `rounds` rounds of `seconds` each, after a short warm-up of each. */
export async function compareThroughput(targets: Target[], opts: { rounds?: number; seconds?: number; connections?: number; warmupSeconds?: number } = {}): Promise<Comparison> {
  const { rounds = 6, seconds = 3, connections = 16, warmupSeconds = 2 } = opts;
  const results = new Map<string, TargetResult>(targets.map((t) => [t.label, { label: t.label, rps: [], cpuUsPerRequest: [], clientCpuPct: [], clientUsPerRequest: [], errors: 0 }]));
  for (const t of targets) await once(t, warmupSeconds, connections);
  const ours = () => {
    const self = process.cpuUsage();
    return targets.reduce((sum, t) => sum + (t.pid ? (processCpuMs(t.pid) ?? 0) : 0), (self.user + self.system) / 1000);
  };
  const machine0 = machineCpuMs();
  const ours0 = ours();
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 ? [...targets].reverse() : targets) {
      const server0 = t.pid ? processCpuMs(t.pid) : null;
      const client0 = process.cpuUsage();
      const r = await once(t, seconds, connections);
      const client = process.cpuUsage(client0);
      const server1 = t.pid ? processCpuMs(t.pid) : null;
      const res = results.get(t.label)!;
      res.rps.push(r.requests.average);
      res.cpuUsPerRequest.push(server0 !== null && server1 !== null && r.requests.total > 0 ? ((server1 - server0) * 1000) / r.requests.total : NaN);
      res.clientCpuPct.push((client.user + client.system) / 10_000 / seconds);
      res.clientUsPerRequest.push(r.requests.total > 0 ? (client.user + client.system) / r.requests.total : NaN);
      res.errors += r.errors + r.non2xx;
    }
  }
  const machine1 = machineCpuMs();
  let othersCores: number | null = null;
  if (machine0 && machine1) {
    const wall = (machine1.total - machine0.total) / machine1.cores;
    othersCores = Math.max(0, (machine1.busy - machine0.busy - (ours() - ours0)) / wall);
  }
  return { results, rounds, seconds, connections, cores: machine1?.cores ?? 0, othersCores };
}

/** Median over rounds of a/b, where a and b are per-round figures of two targets. */
export function ratioOfRounds(a: number[], b: number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

const COLUMNS = ['req/s', 'server CPU/request', 'load generator CPU/request'];

export function formatHeader(width = 38): string {
  return `  ${''.padEnd(width)} ${COLUMNS.map((c) => c.padStart(Math.max(8, c.length))).join('  ')}`;
}

/** A table row under formatHeader(): median req/s, server and load generator CPU per request. */
export function formatRow(name: string, r: TargetResult, width = 38): string {
  const us = (xs: number[]) => {
    const m = median(xs);
    return Number.isNaN(m) ? '-' : `${m.toFixed(1)} us`;
  };
  const cells = [median(r.rps).toFixed(0), us(r.cpuUsPerRequest), us(r.clientUsPerRequest)];
  return `  ${name.padEnd(width)} ${cells.map((v, i) => v.padStart(Math.max(8, COLUMNS[i]!.length))).join('  ')}${r.errors ? `   errors ${r.errors}` : ''}`;
}

/** What limits the figures of this run, for the reader. */
export function describeRun(c: Comparison): string[] {
  const all = [...c.results.values()];
  const maxClient = Math.max(...all.flatMap((r) => r.clientCpuPct));
  const client = median(all.flatMap((r) => r.clientUsPerRequest));
  const server = median(all.flatMap((r) => r.cpuUsPerRequest));
  const lines = [`load generator: autocannon in the benchmark process, each server in its own; at most ${maxClient.toFixed(0)}% of one core`];
  if (maxClient >= 90) lines.push('  -> the load generator is the limit: req/s understate the servers; compare CPU per request');
  else if (client >= server / 2) {
    lines.push(
      `  -> it spends ${client.toFixed(0)} us CPU per request against ${server.toFixed(0)} us for a server: the two take turns on each round trip,`,
      '     so req/s ratios lean toward 1; requests per server CPU second compare the servers alone',
    );
  }
  if (c.othersCores !== null) {
    lines.push(
      `other processes kept ${c.othersCores.toFixed(1)} of ${c.cores} cores busy during the run` +
        (c.othersCores >= 0.5 ? ': absolute figures are low and noisy; the per-round ratios hold better' : ''),
    );
  }
  return lines;
}
