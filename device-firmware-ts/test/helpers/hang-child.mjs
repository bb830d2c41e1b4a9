// Child process for the hang watchdog test: starts the built watchdog, then blocks its event
// loop in JavaScript (`js`) or inside a native call (`native`: opening a FIFO nobody writes).
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { startHangWatchdog } from '../../dist/ops/hang-watchdog.js';

const [mode, dataDir, fifo] = process.argv.slice(2);
startHangWatchdog({ hangS: 0.5, dataDir, logFile: join(dataDir, 'none.log'), unit: '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b', boot: '3f1c9a2e-0d4b-4c6a-9e21-7a8b9c0d1e2f', fw: '0', commit: 'c' });

function spinInJavaScript() {
  for (;;) {
    /* never yields */
  }
}
function waitInNativeCode() {
  openSync(fifo, 'r');
}

process.stdout.write('blocking\n');
setTimeout(() => (mode === 'js' ? spinInJavaScript() : waitInNativeCode()), 100);
