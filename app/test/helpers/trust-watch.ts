// Runs the companion core in this process (inside the simulated LAN's host namespace), pairs
// with `unitId` over USB once its pty answers, and prints JSON lines:
//   {"event":"devices","entries":[...]}, {"event":"paired",...}, {"event":"status","ok":...}
// stdin line "status" asks the unit's status. argv[2]: JSON {serialPaths, unitId, dataDir}.
import { createCompanion } from '../../src/companion.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as { serialPaths: string[]; unitId: string; dataDir: string };
const print = (msg: unknown): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);
const companion = createCompanion({
  dataDir: opts.dataDir,
  mdns: true,
  serialPaths: opts.serialPaths,
  listPorts: async () => [],
  hotplug: false,
  pollIntervalMs: 500,
  events: (event, payload) => {
    if (event === 'devices:changed') print({ event: 'devices', entries: payload });
  },
  log: (m) => process.stderr.write(`${m}\n`),
});
print({ event: 'ready' });
const pairWhenUsb = setInterval(() => {
  const e = companion.list().find((x) => x.id === opts.unitId);
  if (!e?.links.some((l) => l.kind === 'usb' && l.online)) return;
  clearInterval(pairWhenUsb);
  companion.handlers['pairing:pair']({ id: opts.unitId, via: 'usb', role: 'owner' }).then(
    (r) => print({ event: 'paired', ...r }),
    (err: Error & { code?: string }) => print({ event: 'paired', error: err.code, message: err.message }),
  );
}, 200);
process.stdin.setEncoding('utf8').on('data', (d: string) => {
  if (!d.includes('status')) return;
  companion.handlers['devices:status']({ id: opts.unitId }).then(
    (s) => print({ event: 'status', ok: true, id: s.id, fingerprint: s.identity.fingerprint }),
    (err: Error & { code?: string }) => print({ event: 'status', ok: false, code: err.code, message: err.message }),
  );
});
const stop = (): void => {
  clearInterval(pairWhenUsb);
  void companion.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop);
