// Pushing one signed bundle to 10 sim units at once over one shared 50 Mbit/s link (each unit in
// its own network namespace on one bridge; the companion's namespace reaches them through one
// tbf-shaped bridge port, shaped both ways), against a raw TCP transfer of the same bytes to the
// same units over the same link, before and after, in the same run. Goal: push <= 1.15x raw.
// The push is the companion's update client end to end: each unit's proven connection, the
// upload, the unit's streaming verification, staging and install into its inactive slot.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimLan, lanPrefix } from '../testbed/netns.js';
import { addShapedUplink } from '../testbed/shaped-uplink.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { testVendorKey } from '../testbed/vendor-test-key.js';
import { makeBundle } from '../device-firmware-ts/test/helpers/bundles.js';
import { inBatches, runScript } from './trackday.js';

const UNITS = 10;
const LINK_MBIT = 50;
const SINK_PORT = 9000;
/** The payload: 10 units x 10 MB fits inside the unit's 30 s whole-request limit at 50 Mbit/s. */
const SIZES = [6_000_000, 50_000, 3_950_000];

/** A TCP sink in a unit's namespace: reads `size` bytes, then answers with the count. */
function startSink(ns: string, size: number): ChildProcess {
  const code = `const n=require('node:net');n.createServer(s=>{let c=0;s.on('data',d=>{c+=d.length;if(c>=${size})s.write(String(c)+'\\n')});s.on('error',()=>{})}).listen(${SINK_PORT},()=>console.log('ready'))`;
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

export interface UpdatePushFigures {
  pushS: number;
  rawS: number;
  ratio: number;
  bytes: number;
  linkS: number;
}

export async function runUpdatePush(log: (m: string) => void = () => undefined): Promise<UpdatePushFigures> {
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'pitwall-update-push-'));
  const lan = createSimLan(lanPrefix('upp'));
  const running: SimUnit[] = [];
  const sinks: ChildProcess[] = [];
  try {
    const uplink = addShapedUplink(lan, LINK_MBIT, { down: true });
    try {
      const vendor = await testVendorKey(base);
      const bundle = join(base, 'bundle.pwb');
      writeFileSync(bundle, await makeBundle({ dir: base, tag: 'bench', version: '0.2.0', minReplaceVersion: '0.0.1', models: ['PW-1-sim'], key: vendor.key, sizes: SIZES }));
      const size = (await import('node:fs')).statSync(bundle).size;
      const nets = Array.from({ length: UNITS }, () => lan.addUnit());
      running.push(
        ...(await inBatches(nets, 4, (n, i) => {
          const dataDir = join(base, `unit-${i + 1}`);
          mkdirSync(dataDir);
          return startSimUnit({ dataDir, name: `Car ${i + 1}`, netns: n.ns, vendorKeysDir: vendor.keysDir });
        })),
      );
      for (const n of nets) {
        const sink = startSink(n.ns, size);
        sinks.push(sink);
        await new Promise((r) => sink.stdout!.once('data', r));
      }
      const unitsFile = join(base, 'units.json');
      writeFileSync(unitsFile, JSON.stringify(nets.map((n, i) => ({ address: n.address, apiPort: running[i]!.ready.apiPort, serialPath: running[i]!.ready.serialPath, sinkPort: SINK_PORT }))));
      log(`pushing ${(size / 1e6).toFixed(1)} MB to ${UNITS} units over one ${LINK_MBIT} Mbit/s link`);
      const r = JSON.parse(await runScript('update-push-companion.ts', [join(base, 'companion'), unitsFile, bundle], uplink.ns)) as { size: number; pushS: number; rawS: number[]; refused: string[] };
      if (r.refused.length > 0) throw new Error(`units refused the push: ${r.refused.join('; ')}`);
      const rawS = r.rawS.reduce((a, b) => a + b, 0) / r.rawS.length;
      return { pushS: r.pushS, rawS, ratio: r.pushS / rawS, bytes: size * UNITS, linkS: (size * UNITS * 8) / (LINK_MBIT * 1e6) };
    } finally {
      for (const s of sinks) s.kill();
      await Promise.all(running.map((u) => u.stop()));
      uplink.destroy();
    }
  } finally {
    lan.destroy();
    rmSync(base, { recursive: true, force: true });
  }
}
