// Runs discoverOnce in this process and prints one JSON line with the entries and the debug log.
// Used by tests that need a process of its own (a stripped PATH, another network namespace).
// argv[2]: JSON of DiscoverOnceOptions (timeoutMs, serialPaths, mdns, addresses).
import { discoverOnce, type DiscoverOnceOptions } from '../../src/discover-once.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as DiscoverOnceOptions;
const log: string[] = [];
const entries = await discoverOnce({ ...opts, log: (m) => log.push(m) });
process.stdout.write(`${JSON.stringify({ event: 'result', entries, log })}\n`);
