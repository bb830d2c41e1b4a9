// A companion process that pulls diagnostics from the given units and prints the results:
// the kill-in-mid-pull test SIGKILLs it. Usage: pull-child.ts DATA_DIR UNIT_ID...
import { onlineCompanion } from './diagnostics-fixtures.js';

const [dataDir, ...ids] = process.argv.slice(2);
const companion = await onlineCompanion(dataDir!, ids.map((id) => ({ id })));
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
const results = await companion.handlers['sync:diagnostics']({ ids });
process.stdout.write(`${JSON.stringify({ event: 'done', results })}\n`);
await companion.close();
process.exit(0);
