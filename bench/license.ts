// Licence verification, against a bare Ed25519 verification of the same signed bytes in the same
// run, and what licensing adds to the unit's start-up:
// 1. warm: N verifications of one licence file (sigstore bundle, DSSE, key lookup, payload schema)
//    against N crypto.verify of its signed bytes (median of per-round ratios);
// 2. cold (the unit's first check after boot): a fresh process verifying once, the sigstore
//    libraries loading inside it, against a fresh process doing one bare verify (medians);
// 3. boot: the sim unit (licences enforced, a licence installed) booted RUNS times; the boot log's
//    `license` stage is licensing's whole share of the path to "ready" (goal <= 10 ms: the
//    signature check runs after ready), and the first check's end is shown after ready.
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyLookup, pinnedKeySet, verifyLicenseFile } from '../protocol/src/node/index.js';
import { startReadyProcess } from '../testbed/ready-process.js';
import { DEVICE_CLI } from '../testbed/sim-unit.js';
import { testVendorKey } from '../testbed/vendor-test-key.js';
import { issueLicence } from '../testbed/license-fixtures.js';
import { signedBytes } from './license-bytes.js';

const ROUNDS = 5;
const N = 500;
const COLD = 5;
const BOOTS = 5;
const GOAL_MS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const CHILD = fileURLToPath(new URL('./license-verify-child.mjs', import.meta.url));

async function warm(file: string, pem: string): Promise<void> {
  const lookup = keyLookup(pinnedKeySet([pem]));
  const { pae, signature } = signedBytes(file);
  const key = createPublicKey(pem);
  await verifyLicenseFile(file, lookup); // libraries loaded
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) if (!verify(null, pae, key, signature)) throw new Error('bare verify failed');
    const bare = (performance.now() - t0) / N;
    t0 = performance.now();
    for (let i = 0; i < N; i++) await verifyLicenseFile(file, lookup);
    const full = (performance.now() - t0) / N;
    ratios.push(full / bare);
    console.log(`warm round ${round}: bare Ed25519 ${(bare * 1000).toFixed(0)} us, licence file ${(full * 1000).toFixed(0)} us -> ${(full / bare).toFixed(1)}x`);
  }
  console.log(`warm: licence verification / bare Ed25519 verify = ${median(ratios).toFixed(1)}x (median of ${ROUNDS} rounds of ${N})`);
}

function coldOnce(file: string, pem: string, mode: 'bare' | 'licence'): number {
  const out = execFileSync(process.execPath, [CHILD, file, pem, mode], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return Number(out.trim());
}

function cold(file: string, pem: string): void {
  const bare: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < COLD; i++) {
    bare.push(coldOnce(file, pem, 'bare'));
    full.push(coldOnce(file, pem, 'licence'));
  }
  console.log(
    `cold (first check in a fresh process, libraries loading inside it): bare ${median(bare).toFixed(1)} ms, licence ${median(full).toFixed(1)} ms -> ${(median(full) / median(bare)).toFixed(0)}x (medians of ${COLD})`,
  );
}

interface LogLine {
  msg: string;
  time: string;
  stage?: string;
  durationMs?: number;
  boot?: string;
}

async function boots(root: string): Promise<void> {
  const vendor = await testVendorKey(root);
  const dataDir = join(root, 'unit');
  const argv = [process.execPath, DEVICE_CLI, 'sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1', '--no-mdns', '--license-enforced', '--vendor-keys', vendor.keysDir];
  const first = await startReadyProcess<{ id: string }>(argv, { label: 'licence bench unit', env: { NODE_OPTIONS: '' } });
  const unitId = first.ready.id;
  await first.stop();
  await mkdir(join(dataDir, 'license'), { recursive: true });
  await writeFile(join(dataDir, 'license', 'license.json'), await issueLicence(vendor.key, unitId), { mode: 0o600 });
  const stage: number[] = [];
  const afterReady: number[] = [];
  for (let i = 0; i < BOOTS; i++) {
    const unit = await startReadyProcess(argv, { label: 'licence bench unit', env: { NODE_OPTIONS: '' } });
    // The first check runs after ready: wait for its record, then stop.
    const deadline = Date.now() + 20_000;
    let lines: LogLine[] = [];
    for (;;) {
      lines = (await readFile(join(dataDir, 'logs', 'pitwall.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogLine);
      const boot = lines.at(-1)?.boot;
      lines = lines.filter((l) => l.boot === boot);
      if (lines.some((l) => l.msg.startsWith('licence: ')) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await unit.stop();
    const part = lines.find((l) => l.stage === 'license')?.durationMs;
    const ready = lines.find((l) => l.msg.startsWith('ready: '));
    const checked = lines.find((l) => l.msg.startsWith('licence: '));
    if (part === undefined || !ready || !checked) throw new Error(`boot ${i + 1}: the log lacks the license stage, ready or the first check`);
    if (!checked.msg.startsWith('licence: active')) throw new Error(`boot ${i + 1}: ${checked.msg}`);
    stage.push(part);
    afterReady.push(Date.parse(checked.time) - Date.parse(ready.time));
    console.log(`boot ${i + 1}: license stage ${part.toFixed(1)} ms before ready; first check (verified, active) ${afterReady.at(-1)} ms after ready`);
  }
  const m = median(stage);
  console.log(`boot: licensing adds ${m.toFixed(1)} ms to ready (median of ${BOOTS}; goal <= ${GOAL_MS} ms: ${m <= GOAL_MS ? 'met' : 'NOT met'}); the check itself finishes ${median(afterReady)} ms after ready`);
}

export async function runLicenseBench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pitwall-bench-license-'));
  try {
    const vendor = await testVendorKey(root);
    const file = await issueLicence(vendor.key, '0f0e0d0c-0b0a-4908-8706-050403020100');
    await warm(file, vendor.key.publicKeyPem);
    cold(file, vendor.key.publicKeyPem);
    await boots(join(root, 'boots'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
