// A fake unit serving one session file from its own process (so a test measures only the
// companion's memory). Usage: session-server-child.ts FILE SESSION_ID SHA256; prints {port}.
import { statSync } from 'node:fs';
import { startFakeSessionUnit } from './fake-session-unit.js';

const [path, sessionId, sha256] = process.argv.slice(2);
const unit = await startFakeSessionUnit('unit-big', [{ path: path!, sessionId: sessionId!, sha256: sha256!, sizeB: statSync(path!).size, unitLapsMs: [] }]);
process.stdout.write(`${JSON.stringify({ port: unit.port })}\n`);
process.on('SIGTERM', () => void unit.close().then(() => process.exit(0)));
