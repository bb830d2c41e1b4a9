import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LedPattern } from '../../../../src/hal/gpio.js';
import { openGpiodBoard } from '../../../../src/hal/gpio/gpiod-board.js';
import { simGpio } from '../../../../src/hal/sim/sim-gpio.js';
import { silentLogger } from '../../../../src/ops/logger.js';
import { gpioContract } from './gpio-contract.js';

const FAKES = fileURLToPath(new URL('../../../helpers/fake-gpiod/', import.meta.url));
const LINES = { buttons: { pair: 17, recovery: 27 }, switches: { support: 22, hotspot: 23 }, leds: { pair: 5, support: 6 } };

function ask(sock: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(sock, () => c.write(`${line}\n`));
    c.setEncoding('utf8').once('data', (d: string) => {
      c.end();
      resolve(d.trim());
    });
    c.on('error', reject);
  });
}

test('contract: the sim GPIO (its test socket presses the button and shows the LED pattern)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pw-gpio-'));
  const sock = join(dir, 'gpio.sock');
  const gpio = await simGpio(sock, silentLogger);
  try {
    await gpioContract({
      gpio,
      press: async () => assert.equal(await ask(sock, 'press pair'), 'ok'),
      seenPattern: async () => (JSON.parse(await ask(sock, 'led-patterns')) as { pair: LedPattern }).pair,
    });
  } finally {
    await gpio.close();
    await rm(dir, { recursive: true, force: true });
  }
});

interface Call {
  tool: string;
  argv?: string[];
  line?: number;
  value?: number;
  released?: boolean;
  pid?: number;
  exited?: boolean;
}

async function fakeBoard(levels: Record<number, number> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'pw-gpiod-'));
  execFileSync('mkfifo', [join(dir, 'edges')]);
  await writeFile(join(dir, 'levels.json'), JSON.stringify(levels));
  // Read-write open of the FIFO: never blocks, and gpiomon never sees EOF while the test runs.
  const edges = await open(join(dir, 'edges'), 'r+');
  const env = { ...process.env, PATH: `${FAKES}:${process.env.PATH}`, FAKE_GPIOD_DIR: dir };
  const board = await openGpiodBoard({ chip: 'gpiochip0', debounceMs: 30, env, log: silentLogger, ...LINES });
  const calls = async (): Promise<Call[]> =>
    (await readFile(join(dir, 'calls.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Call);
  const edge = (line: number, active: 0 | 1) => edges.write(`${line} ${active}\n`);
  // Like a real gpiomon, the fake sees edges only once it holds the lines.
  for (let i = 0; !(await calls()).some((c) => c.tool === 'gpiomon'); i++) {
    if (i > 200) throw new Error('fake gpiomon did not start');
    await sleep(25);
  }
  const close = async () => {
    await board.close();
    await edges.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { board, calls, edge, close };
}

/** The LED's line values set by gpioset over the next second: constant, or toggling slow (1 Hz) or fast (4 Hz). */
async function seenOnLine(calls: () => Promise<Call[]>, line: number): Promise<LedPattern> {
  const sets = async () => (await calls()).filter((c) => c.tool === 'gpioset' && c.line === line && c.value !== undefined);
  await sleep(150); // the new pattern's first gpioset
  const before = (await sets()).length;
  await sleep(1000);
  const all = await sets();
  const toggles = all.length - before;
  if (toggles === 0) return all.at(-1)?.value === 1 ? 'on' : 'off';
  return toggles >= 5 ? 'fast-blink' : 'slow-blink';
}

test('contract: buttons and LEDs on the gpiod tools (fake gpiomon replays edges, fake gpioset records lines)', async () => {
  const f = await fakeBoard();
  try {
    await gpioContract({
      gpio: f.board,
      press: async () => {
        await f.edge(17, 1);
        await sleep(80);
        await f.edge(17, 0);
        await sleep(80);
      },
      seenPattern: () => seenOnLine(f.calls, 5),
    });
  } finally {
    await f.close();
  }
});

test('gpiod board: inputs read active-low with pull-up, one gpiomon for every input, switches read at start and followed', async () => {
  const f = await fakeBoard({ 23: 1 });
  try {
    const calls = await f.calls();
    assert.deepEqual(calls.find((c) => c.tool === 'gpioget')!.argv, ['-l', '-B', 'pull-up', 'gpiochip0', '17', '27', '22', '23']);
    const mon = calls.filter((c) => c.tool === 'gpiomon');
    assert.equal(mon.length, 1);
    assert.deepEqual(mon[0]!.argv, ['-b', '-l', '-B', 'pull-up', '-F', '%o %e', 'gpiochip0', '17', '27', '22', '23']);
    assert.equal(f.board.readSwitch('hotspot'), true, 'hotspot latch closed at power-on');
    assert.equal(f.board.readSwitch('support'), false);
    assert.equal(f.board.readSwitch('nonesuch'), null);
    const flips: boolean[] = [];
    f.board.onSwitch('support', (on) => flips.push(on));
    await f.edge(22, 1);
    await sleep(150);
    assert.deepEqual(flips, [true]);
    assert.equal(f.board.readSwitch('support'), true);
    let recovery = 0;
    f.board.onPress('recovery', () => recovery++);
    // Contact bounce: four edges inside the debounce time are one press.
    for (const v of [1, 0, 1, 0, 1] as const) await f.edge(27, v);
    await sleep(150);
    await f.edge(27, 0);
    // A glitch shorter than the debounce time is no press.
    await f.edge(27, 1);
    await f.edge(27, 0);
    await sleep(150);
    assert.equal(recovery, 1);
  } finally {
    await f.close();
  }
});

test('gpiod board: an LED changes hands between gpioset holders one at a time, and is driven low and left unheld on close', async () => {
  const f = await fakeBoard();
  f.board.setLed('pair', 'on');
  f.board.setLed('pair', 'off');
  f.board.setLed('pair', 'on');
  await sleep(400);
  const shown = (await f.calls()).filter((c) => c.tool === 'gpioset' && c.line === 5 && c.value !== undefined);
  await f.board.close();
  const line5 = (await f.calls()).filter((c) => c.tool === 'gpioset' && c.line === 5);
  await f.close();
  // A holder killed before it started logs nothing (as a real one sets nothing): the levels
  // that did show alternate, and the last one shown before close is on.
  assert.equal(shown.at(-1)?.value, 1);
  // Each new holder starts only after the previous one released the line.
  const holders = line5.filter((c) => c.value !== undefined);
  for (const h of holders.slice(0, -1)) assert.ok(line5.some((c) => c.released && c.pid === h.pid), `holder ${h.pid} never released`);
  for (let i = 1; i < line5.length; i++) if (line5[i]!.value !== undefined) assert.ok(line5[i - 1]!.released, `a holder started before the last released: ${JSON.stringify(line5)}`);
  const last = line5.at(-1)!;
  assert.deepEqual([last.value, last.exited], [0, true], 'on close: driven low by a gpioset that exits, nothing left holding the line');
  assert.ok(line5.at(-2)!.released, 'after the last holder released it');
});
