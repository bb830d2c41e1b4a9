// Runs the companion core in this process (started inside the simulated LAN's host namespace
// with `ip netns exec`) and prints one JSON line per device-list change:
//   {"event":"devices","at":<epoch ms>,"entries":[...]}
// argv[2]: JSON {serialPaths?: string[], pollIntervalMs?: number}. Stops on SIGTERM or stdin end.
import { createCompanion } from '../../src/companion.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as { serialPaths?: string[]; pollIntervalMs?: number };
const companion = createCompanion({
  dataDir: null,
  mdns: true,
  serialPaths: opts.serialPaths ?? [],
  listPorts: async () => [],
  hotplug: false,
  pollIntervalMs: opts.pollIntervalMs ?? 1000,
  events: (event, payload) => {
    if (event === 'devices:changed') process.stdout.write(`${JSON.stringify({ event: 'devices', at: Date.now(), entries: payload })}\n`);
  },
  log: (message) => process.stderr.write(`${message}\n`),
});
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
const stop = (): void => {
  void companion.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume();
