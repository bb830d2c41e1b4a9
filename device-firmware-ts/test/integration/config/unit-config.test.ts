import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deviceInfo, deviceStatus, parseUnitConfig, UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol';
import { openPtyPair } from '../../../src/index.js';
import { CONFIG_FLAGS, ConfigError, configFromFlags } from '../../../src/unit-config-file.js';
import { prng } from '../../helpers/prng.js';
import { DEVICE_CLI } from '../../../../testbed/sim-unit.js';
import { startReadyProcess } from '../../../../testbed/ready-process.js';
import { everlandRecording, tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial } from '../../helpers/https-client.js';

interface Ready {
  id: string;
  apiPort: number;
  serialPath: string;
}
const cli = (args: string[]) => spawnSync(process.execPath, [DEVICE_CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the configuration schema holds every default once, and an empty file means them all', () => {
  assert.deepEqual(parseUnitConfig({}), UNIT_CONFIG_DEFAULTS);
  assert.equal(UNIT_CONFIG_DEFAULTS.health.intervalS, 60);
  assert.equal(UNIT_CONFIG_DEFAULTS.health.diskLowMb, 64);
  assert.equal(UNIT_CONFIG_DEFAULTS.hangTimeoutS, 10);
  assert.equal(UNIT_CONFIG_DEFAULTS.imu.rateHz, 100);
  const help = cli(['--help']).stdout;
  assert.match(help, /--health-interval S\s+seconds between health snapshots \(default 60\)/, 'the help shows the schema default');
  assert.match(help, /pitwall-device run \[--config FILE\]/);
});

test('fuzz: any flag values give a valid configuration or one ConfigError naming the flag', () => {
  const rand = prng(7);
  const texts = ['', ' ', '0', '-1', '1.5', '65536', '1e3', 'NaN', 'Infinity', '0x10', 'debug', 'x'.repeat(5000), '/tmp/y', '\u0000'];
  for (let i = 0; i < 5000; i++) {
    const values: Record<string, string | boolean> = {};
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
      const f = CONFIG_FLAGS[Math.floor(rand() * CONFIG_FLAGS.length)]!;
      values[f.flag] = f.kind === 'off' ? true : rand() < 0.5 ? texts[Math.floor(rand() * texts.length)]! : String(Math.floor(rand() * 2000));
    }
    try {
      const c = configFromFlags({ dataDir: '/tmp/fuzz' }, 'unit.json', values);
      assert.ok(c.dataDir.startsWith('/'));
    } catch (err) {
      assert.ok(err instanceof ConfigError, `${JSON.stringify(values)}: ${(err as Error).stack}`);
      assert.match(err.message, /^--[a-z-]+(:| must be a number)/, err.message);
      assert.ok(err.message.length < 300, err.message);
    }
  }
});

test('bad configuration: one sentence naming the field, a non-zero exit, nothing started', async () => {
  const { dir, cleanup } = await tempDir('config');
  try {
    const dataDir = join(dir, 'unit');
    const file = join(dir, 'unit.json');
    const cases: [string, string[], RegExp][] = [
      ['{"dataDir": ', [], /unit\.json is not valid JSON/],
      [JSON.stringify({ dataDir, api: { port: 0, prot: 1 } }), [], /unit\.json: unknown setting "api\.prot" \(known here: port, host, mdns\)/],
      [JSON.stringify({ dataDir, api: { port: 0 }, health: { intervalS: 'often' } }), [], /unit\.json: "health\.intervalS" must be a number from 0\.1 to 86400, got "often"/],
      [JSON.stringify({ dataDir, api: { port: 0 }, logs: { level: 'loud' } }), [], /"logs\.level" must be one of "trace", .*got "loud"/],
      [JSON.stringify({ dataDir, api: { port: 0 } }), ['--health-interval', '0'], /--health-interval: "health\.intervalS" must be a number from 0\.1 to 86400, got 0/],
      [JSON.stringify({ dataDir, api: { port: 0 } }), ['--api-port', '70000'], /--api-port: "api\.port" must be a whole number from 0 to 65535, got 70000/],
      [JSON.stringify({ dataDir, api: { port: 0 } }), ['--speed', 'fast'], /--speed must be a number, got "fast"/],
      [JSON.stringify([1]), [], /the unit configuration must be a JSON object/],
    ];
    for (const [i, [text, flags, message]] of cases.entries()) {
      await writeFile(file, text);
      for (const command of i < 3 ? ['sim', 'run'] : ['sim']) {
        const r = cli([command, '--config', file, ...flags]);
        assert.equal(r.status, 2, `${command} ${text} ${flags.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '', 'no ready line');
        assert.ok(!r.stderr.includes('usage:'), 'the sentence alone, not buried in the usage');
        assert.ok(!existsSync(dataDir), 'nothing written: the data directory was never made');
      }
    }
    const missing = cli(['run', '--config', join(dir, 'nope.json')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read the configuration .*nope\.json: ENOENT/);
  } finally {
    await cleanup();
  }
});

test('run on a machine without the unit hardware says what is missing and starts nothing', async () => {
  const { dir, cleanup } = await tempDir('config');
  try {
    const dataDir = join(dir, 'unit');
    const file = join(dir, 'unit.json');
    await writeFile(file, JSON.stringify({ dataDir, api: { port: 0, mdns: false }, hardware: { gnssPath: join(dir, 'serial0'), usbGadgetPath: join(dir, 'ttyGS0') } }));
    const r = cli(['run', '--config', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /failed to start: hardware missing: no GNSS receiver serial port at .*serial0 \(hardware\.gnssPath\); no USB gadget serial port at .*ttyGS0 \(hardware\.usbGadgetPath\)/);
    assert.ok(!existsSync(dataDir), 'nothing written');
  } finally {
    await cleanup();
  }
});

test('run boots the real hardware profile: the GNSS UART and the USB gadget as pseudo-terminals', async () => {
  const { dir, cleanup } = await tempDir('config');
  const gnss = await openPtyPair(join(dir, 'serial0'), join(dir, 'receiver'));
  const usb = await openPtyPair(join(dir, 'ttyGS0'), join(dir, 'usb-host'));
  const file = join(dir, 'unit.json');
  await writeFile(
    file,
    JSON.stringify({ dataDir: join(dir, 'unit'), name: 'From the file', api: { port: 0, host: '127.0.0.1', mdns: false }, hardware: { gnssPath: gnss.a, gnssBaud: 9600, usbGadgetPath: usb.a } }),
  );
  const unit = await startReadyProcess<Ready>([process.execPath, DEVICE_CLI, 'run', '--config', file, '--name', 'From the flag', '--hang-timeout', '0'], { label: 'real profile' });
  try {
    assert.equal(unit.ready.serialPath, usb.a, 'the real gadget: the unit names its own device end');
    const base = `https://127.0.0.1:${unit.ready.apiPort}`;
    const info = deviceInfo.parse(JSON.parse((await https(base, 'GET', '/v1/info')).body));
    assert.equal(info.model, 'PW-1', 'the real board model');
    assert.equal(info.name, 'From the flag', 'a flag overrides the file');
    const owner = await makeOperator('owner');
    await pairOverSerial(usb.b, owner, 'owner');
    // The receiver speaks on the UART: fixes reach the API through the real reader.
    const lines = (await readFile(everlandRecording, 'utf8')).split('\n');
    const fixed = lines.slice(lines.findIndex((l) => /^\$GPRMC,[^,]*,A,/.test(l))).slice(0, 400);
    const receiver = await open(gnss.b, 'w');
    let fix = 'none';
    try {
      for (let i = 0; i < fixed.length && fix === 'none'; i += 20) {
        await receiver.write(`${fixed.slice(i, i + 20).join('\r\n')}\r\n`);
        await sleep(100);
        const status = deviceStatus.parse(JSON.parse((await https(base, 'GET', '/v1/status', { client: owner })).body));
        fix = status.gnss.fix;
      }
    } finally {
      await receiver.close();
    }
    assert.notEqual(fix, 'none', 'a fix from the receiver on the real profile');
    const health = JSON.parse((await https(base, 'GET', '/v1/health', { client: owner })).body) as { snapshots: { imu: { sampleRateHz: number | null } }[] };
    assert.equal(health.snapshots.at(-1)?.imu.sampleRateHz, null, 'no I2C bus on this machine: no IMU rate, not an invented one');
  } finally {
    assert.equal(await unit.stop('SIGTERM'), 0, unit.output.join(''));
    await gnss.close();
    await usb.close();
    await cleanup();
  }
});

test('sim reads a configuration file too, and the IMU rate it sets is the one health measures', async () => {
  const { dir, cleanup } = await tempDir('config');
  const file = join(dir, 'unit.json');
  await writeFile(file, JSON.stringify({ dataDir: join(dir, 'unit'), api: { port: 0, host: '127.0.0.1', mdns: false }, imu: { rateHz: 50 }, health: { intervalS: 0.5 }, sim: { speed: 5 } }));
  const unit = await startReadyProcess<Ready>([process.execPath, DEVICE_CLI, 'sim', '--config', file, '--hang-timeout', '0'], { label: 'sim from a file' });
  try {
    const base = `https://127.0.0.1:${unit.ready.apiPort}`;
    const owner = await makeOperator('owner');
    await pairOverSerial(unit.ready.serialPath, owner, 'owner');
    let rate: number | null = null;
    for (let i = 0; i < 60 && rate === null; i++) {
      await sleep(500);
      const snaps = (JSON.parse((await https(base, 'GET', '/v1/health', { client: owner })).body) as { snapshots: { imu: { sampleRateHz: number | null } }[] }).snapshots;
      rate = snaps.at(-1)?.imu.sampleRateHz ?? null;
    }
    assert.ok(rate !== null && Math.abs(rate - 50) <= 2.5, `measured ${rate} Hz for a 50 Hz IMU`);
  } finally {
    assert.equal(await unit.stop('SIGTERM'), 0, unit.output.join(''));
    await cleanup();
  }
});
