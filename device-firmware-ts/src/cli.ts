#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimUnit, DEFAULT_PAIRING_WINDOW_S, type RunningUnit } from './runtime.js';
import { resetIdentity } from './identity/identity-reset.js';
import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from './version.js';
import { stderrLogger } from './ops/logger.js';
import { LOG_LEVELS, parseChoice, parseNumber, parsePort } from '@pitwall/protocol';
import { DEFAULT_SESSION_POLICY } from './pipeline/start-data-path.js';

export const DEFAULT_RECORDING = fileURLToPath(new URL('../../resources/recordings/everland-aim-solo.nmea', import.meta.url));

const USAGE = `usage: pitwall-device sim --data-dir DIR --api-port PORT [--name NAME] [--recording FILE]
                          [--speed X] [--serial-link PATH] [--host ADDR] [--no-mdns]
                          [--pairing-window S] [--log-dir DIR] [--log-level L]
                          [--health-interval S] [--hang-timeout S] [--disk-low-mb MB]
                          [--imu-rate HZ] [--no-auto-session]
                          [--session-start-kmh KMH] [--session-start-s S] [--session-stop-s S]
       pitwall-device identity reset --data-dir DIR --confirm
       pitwall-device --version

  sim            run a simulated unit: the real pipeline and API above simulated hardware
  --data-dir     persistent state (identity, runtime links); created if missing
  --api-port     HTTP API port, 0 = any free port (printed in the ready line)
  --name         unit name (1-63 characters; default Pitwall-XXXX from the unit id)
  --recording    NMEA file to replay (default: the shipped Everland AiM Solo laps)
  --speed        replay speed factor, > 0 (default 1)
  --serial-link  companion-side path of the simulated USB serial port (default DATA_DIR/usb-host)
  --host         address the API listens on (default 0.0.0.0)
  --no-mdns      do not advertise over mDNS (use outside a network namespace)
  --pairing-window  seconds network pairing stays open after a press of the pair button
                 (default ${DEFAULT_PAIRING_WINDOW_S}; in sim: \`press pair\` on DATA_DIR/run/sim-gpio.sock)

  --log-dir      structured log directory (default DATA_DIR/logs; file pitwall.log, SIGHUP reopens it)
  --log-level    lowest level written: trace|debug|info|warn|error|fatal (default debug)
  --health-interval  seconds between health snapshots (default 60)
  --hang-timeout seconds the event loop may be blocked before a hang dump and exit (default 10, 0 = off)
  --disk-low-mb  free space on the data partition under which debug logging stops (default 64)
                 sim test hooks on DATA_DIR/run/sim-gpio.sock: \`inject crash|hang|oom\`, \`disk-free BYTES|real\`
  --imu-rate     simulated IMU (LSM6DSOX) sample rate, 1-1000 Hz (default 100)
  --session-start-kmh, --session-start-s, --session-stop-s
                 a session starts after moving at or above KMH (default ${DEFAULT_SESSION_POLICY.startKmh}) for S seconds
                 (default ${DEFAULT_SESSION_POLICY.startS}) and ends after S seconds below it (default ${DEFAULT_SESSION_POLICY.stopS}); receiver time
  --no-auto-session  record only on request (POST /v1/sessions/start and /stop)

  identity reset retire the unit's identity (id, key, operators; moved to identity/retired-*,
                 audited) so the next boot makes a new one; every companion must pair again.
                 The deliberate recovery for a missing or corrupt key. Stop the unit first.

When ready, one JSON line on stdout: {"event":"ready","id":...,"apiPort":...,"serialPath":...}`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'api-port': { type: 'string' },
      name: { type: 'string' },
      recording: { type: 'string' },
      speed: { type: 'string' },
      'serial-link': { type: 'string' },
      host: { type: 'string' },
      'no-mdns': { type: 'boolean' },
      'pairing-window': { type: 'string' },
      'log-dir': { type: 'string' },
      'log-level': { type: 'string' },
      'health-interval': { type: 'string' },
      'hang-timeout': { type: 'string' },
      'disk-low-mb': { type: 'string' },
      'imu-rate': { type: 'string' },
      'session-start-kmh': { type: 'string' },
      'session-start-s': { type: 'string' },
      'session-stop-s': { type: 'string' },
      'no-auto-session': { type: 'boolean' },
      confirm: { type: 'boolean' },
      version: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || values.version) return { help: !!values.help, version: !!values.version } as const;
  const [command, ...rest] = positionals;
  if (command === 'identity') {
    if (rest.length !== 1 || rest[0] !== 'reset') throw new UsageError('usage: pitwall-device identity reset --data-dir DIR --confirm');
    if (!values['data-dir']) throw new UsageError('--data-dir is required');
    if (!values.confirm) throw new UsageError('identity reset makes this unit a new identity and unpairs every companion; add --confirm');
    return { help: false, version: false, reset: { dataDir: resolve(values['data-dir']) } } as const;
  }
  if (command !== 'sim') throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const dataDir = values['data-dir'];
  if (!dataDir) throw new UsageError('--data-dir is required');
  const portText = values['api-port'];
  if (portText === undefined) throw new UsageError('--api-port is required (0 = any free port)');
  const apiPort = parsePort('--api-port', portText);
  const speed = values.speed === undefined ? 1 : parseNumber('--speed', values.speed, { min: 0, aboveMin: true, max: 1000 });
  const name = values.name;
  if (name !== undefined && (name.trim().length === 0 || name.length > 63)) throw new UsageError('--name must be 1-63 characters');
  const num = (flag: string, text: string | undefined, fallback: number, min: number, max: number) => (text === undefined ? fallback : parseNumber(`--${flag}`, text, { min, max }));
  const pairingWindowS = num('pairing-window', values['pairing-window'], DEFAULT_PAIRING_WINDOW_S, 1, 3600);
  const healthIntervalS = num('health-interval', values['health-interval'], 60, 0.1, 86400);
  const hangS = num('hang-timeout', values['hang-timeout'], 10, 0, 3600);
  const diskLowB = num('disk-low-mb', values['disk-low-mb'], 64, 0, 1e7) * 1024 * 1024;
  const logLevel = parseChoice('--log-level', values['log-level'] ?? 'debug', LOG_LEVELS);
  const imuRateHz = num('imu-rate', values['imu-rate'], 100, 1, 1000);
  const d = DEFAULT_SESSION_POLICY;
  const sessions = {
    auto: !values['no-auto-session'],
    startKmh: num('session-start-kmh', values['session-start-kmh'], d.startKmh, 1, 400),
    startS: num('session-start-s', values['session-start-s'], d.startS, 0, 3600),
    stopS: num('session-stop-s', values['session-stop-s'], d.stopS, 1, 86400),
  };
  const recording = resolve(values.recording ?? DEFAULT_RECORDING);
  if (!existsSync(recording)) throw new UsageError(`recording not found: ${recording}`);
  return {
    help: false,
    version: false,
    sim: {
      dataDir: resolve(dataDir),
      apiPort,
      name: name?.trim(),
      recording,
      speed,
      serialLink: values['serial-link'] ? resolve(values['serial-link']) : undefined,
      host: values.host,
      mdns: !values['no-mdns'],
      pairingWindowS,
      logDir: values['log-dir'] ? resolve(values['log-dir']) : undefined,
      logLevel,
      healthIntervalS,
      hangS,
      diskLowB,
      processHandlers: true,
      imuRateHz,
      sessions,
    },
  } as const;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`pitwall-device: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if ('reset' in args && args.reset) {
    const { retiredTo, moved } = await resetIdentity(args.reset.dataDir, stderrLogger('identity'));
    process.stdout.write(`identity reset: moved ${moved.join(', ') || 'nothing'} to ${retiredTo}; the next boot makes a new identity\n`);
    return;
  }
  if (args.version || !('sim' in args) || !args.sim) {
    process.stdout.write(`${FIRMWARE_VERSION} ${FIRMWARE_COMMIT}\n`);
    return;
  }
  // stdout carries only the ready line; libraries that console.log go to stderr.
  console.log = console.error;
  let unit: RunningUnit;
  try {
    unit = await startSimUnit(args.sim);
  } catch (err) {
    process.stderr.write(`pitwall-device: failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const log = unit.ops.logger.for('boot');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    // Hard deadline: a stuck step must not keep a unit alive past its stop budget.
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      unit.ops.logger.flushSync();
      // Not process.exit(): its teardown joins worker threads and can block on a stuck one.
      process.kill(process.pid, 'SIGKILL');
    }, 1800).unref();
    unit.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error(`shutdown: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.stdout.write(`${JSON.stringify({ event: 'ready', id: unit.id, apiPort: unit.apiPort, serialPath: unit.serialPath })}\n`);
}

void main();
