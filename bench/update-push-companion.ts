// Runs in the shaped uplink's namespace (bench/update-push.ts): pairs the companion with every
// unit over its USB serial end, then sends the bundle's bytes raw to every unit at once (a TCP
// sink in each unit's namespace), pushes the bundle with the companion's update client, and
// sends raw again. Prints one JSON line.
import { connect } from 'node:net';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createCompanion } from '@pitwall/app';

interface Unit {
  address: string;
  apiPort: number;
  serialPath: string;
  sinkPort: number;
}

const [companionDir, unitsFile, bundle] = process.argv.slice(2) as [string, string, string];
const units = JSON.parse(readFileSync(unitsFile, 'utf8')) as Unit[];

/** The file to every sink at once; resolves when every sink has confirmed all the bytes. */
async function rawToAll(size: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    units.map(
      (u) =>
        new Promise<void>((resolve, reject) => {
          const s = connect(u.sinkPort, u.address, () => createReadStream(bundle, { highWaterMark: 256 * 1024 }).pipe(s, { end: false }).on('error', reject));
          let got = '';
          s.on('data', (d: Buffer) => {
            got += d.toString();
            if (got.trim() === String(size)) {
              s.end();
              resolve();
            }
          });
          s.on('error', reject);
        }),
    ),
  );
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const { size } = await stat(bundle);
  const companion = createCompanion({ dataDir: companionDir, serialPaths: units.map((u) => u.serialPath), mdns: false, hotplug: false, pollIntervalMs: 500, events: () => undefined });
  try {
    for (const u of units) await companion.handlers['devices:add-address']({ address: `${u.address}:${u.apiPort}` });
    const until = Date.now() + 60_000;
    while (companion.list().filter((d) => d.online && d.links.some((l) => l.kind === 'usb')).length < units.length) {
      if (Date.now() > until) throw new Error(`only ${companion.list().length} units found`);
      await companion.refresh();
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const d of companion.list()) await companion.handlers['pairing:pair']({ id: d.id, via: 'usb', role: 'owner' });
    const ids = companion.list().map((d) => d.id);
    const rawBefore = await rawToAll(size);
    const t0 = performance.now();
    const pushed = await companion.updates.push({ unitIds: ids, file: bundle });
    const pushS = (performance.now() - t0) / 1000;
    const refused = pushed.units.filter((u) => u.phase !== 'installed').map((u) => u.error);
    const rawAfter = await rawToAll(size);
    process.stdout.write(`${JSON.stringify({ size, units: ids.length, pushS, rawS: [rawBefore, rawAfter], refused })}\n`);
  } finally {
    await companion.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
