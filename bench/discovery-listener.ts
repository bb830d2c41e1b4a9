// Runs the companion's real discovery (in the namespace it is started in) and prints, as
// JSON lines, how many units are listed online and when (ms since discovery started).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCompanion } from '@pitwall/app';

const expect = Number(process.argv[2] ?? 1);
const dataDir = mkdtempSync(join(tmpdir(), 'pitwall-bench-companion-'));
const started = performance.now();
let done = false;
const companion = await createCompanion({
  dataDir,
  mdns: true,
  events: (event, payload) => {
    if (event !== 'devices:changed' || done) return;
    const online = (payload as { online: boolean }[]).filter((d) => d.online).length;
    console.log(JSON.stringify({ online, ms: performance.now() - started }));
    if (online >= expect) {
      done = true;
      void companion.close().then(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  },
});
setTimeout(() => {
  console.log(JSON.stringify({ timeout: true }));
  process.exit(1);
}, 30000).unref();
