// Child process for the licence's power-cut test: a trusted clock whose system time races ahead
// (a day per save) saving its latest time seen as fast as it can, until it is SIGKILLed. It prints
// each value once its save resolved (durable). Plain JS on the built clock, so it starts quickly.
import { TrustedClock } from '../../dist/license/trusted-clock.js';

const file = process.argv[2];
const DAY = 24 * 3600 * 1000;
let system = Date.parse(process.argv[3]);
const clock = await TrustedClock.open(file, { systemMs: () => system, monoMs: () => performance.now() });
process.stdout.write('ready\n');
for (;;) {
  system += DAY;
  const { nowMs } = clock.read();
  await clock.save();
  process.stdout.write(`saved ${nowMs}\n`);
}
