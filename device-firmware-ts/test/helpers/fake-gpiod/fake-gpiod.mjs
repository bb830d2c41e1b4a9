// Fake libgpiod v1 tools for the GPIO driver tests, in $FAKE_GPIOD_DIR:
// - every call is appended to calls.jsonl as {tool, argv} (gpiomon once it reads its FIFO);
// - gpioget prints the levels in levels.json ({"17": 1}, 0 when absent) of the lines asked for;
// - gpioset is a shell script (see there);
// - gpiomon prints "offset event" (its -F '%o %e' format) for each "offset event" line written
//   to the FIFO `edges`, for the lines it watches; it refuses lines gpiomon is not given.
import { appendFileSync, constants, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const dir = process.env.FAKE_GPIOD_DIR;
const [tool, ...argv] = process.argv.slice(2);
if (!dir) {
  console.error(`${tool}: FAKE_GPIOD_DIR is not set`);
  process.exit(2);
}
const log = (rec) => appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool, argv, pid: process.pid, ...rec })}\n`);
// Options with a value in the v1 tools this fake knows: -B bias, -m mode, -F format.
const positional = [];
for (let i = 0; i < argv.length; i++) {
  if (['-B', '-m', '-F', '--bias', '--mode', '--format'].includes(argv[i])) i++;
  else if (!argv[i].startsWith('-')) positional.push(argv[i]);
}
const [chip, ...lines] = positional;
if (!/^gpiochip\d+$/.test(chip ?? '')) {
  console.error(`${tool}: cannot find GPIO chip "${chip}"`);
  process.exit(1);
}

if (tool === 'gpioget') {
  let levels = {};
  try {
    levels = JSON.parse(readFileSync(join(dir, 'levels.json'), 'utf8'));
  } catch {
    // no levels written: every line reads 0
  }
  log({});
  console.log(lines.map((l) => String(levels[l] ?? 0)).join(' '));
} else if (tool === 'gpiomon') {
  const watched = new Set(lines.map(Number));
  // Non-blocking, as a pipe handle: a blocking read of a FIFO would keep the process from exiting.
  const fd = openSync(join(dir, 'edges'), constants.O_RDONLY | constants.O_NONBLOCK);
  const rl = createInterface({ input: new Socket({ fd, readable: true, writable: false }) });
  log({ ready: true });
  rl.on('line', (text) => {
    const [offset, event] = text.trim().split(' ').map(Number);
    if (watched.has(offset)) process.stdout.write(`${offset} ${event}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
} else {
  console.error(`unknown tool ${tool}`);
  process.exit(2);
}
