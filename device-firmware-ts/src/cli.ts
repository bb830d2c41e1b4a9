#!/usr/bin/env node
import './memory-mode.js';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { UnitConfig } from '@pitwall/protocol';
import { bootUnit, type RunningUnit } from './runtime.js';
import type { ProfileKind } from './hal/profiles.js';
import { CONFIG_FLAG_OPTIONS, ConfigError, DEFAULT_CONFIG_FILE, configFromFlags, flagHelp, isSet, readConfigFile } from './unit-config-file.js';
import { resetIdentity } from './identity/identity-reset.js';
import { installBirthCertificate, readStoredIdentity } from './identity/birth-certificate-install.js';
import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from './version.js';
import { stderrLogger } from './ops/logger.js';

const USAGE = `usage: pitwall-device sim --data-dir DIR --api-port PORT [--config FILE] [settings]
       pitwall-device run [--config FILE] [settings]
       pitwall-device identity reset --data-dir DIR --confirm
       pitwall-device identity show --data-dir DIR
       pitwall-device identity birth-cert --data-dir DIR --file FILE
       pitwall-device --version

  sim            a simulated unit: the real pipeline and API above simulated hardware
                 (in sim: \`press pair\`, \`switch support on|off\` on DATA_DIR/run/sim-gpio.sock; test hooks
                 \`inject crash|hang|oom\`, \`disk-free BYTES|real\`)
  run            the unit on its real hardware (GNSS UART, USB gadget; IMU on I2C and
                 buttons/LEDs on GPIO when present); refuses to start, naming what is
                 missing, on a machine without the UART or the gadget
  --config FILE  settings as JSON (schema UnitConfig; run reads ${DEFAULT_CONFIG_FILE} when
                 no --config is given, sim only the file named); the flags below override it

settings:
${flagHelp(['dataDir', 'api', 'name', 'pairingWindowS', 'logs', 'health', 'hangTimeoutS', 'imu', 'sessions', 'update'])}

real hardware (run):
${flagHelp(['hardware'])}

simulated hardware (sim):
${flagHelp(['sim'])}

  identity reset retire the unit's identity (id, key, operators; moved to identity/retired-*,
                 audited) so the next boot makes a new one; every companion must pair again.
                 The deliberate recovery for a missing or corrupt key. Stop the unit first.
  identity show  the unit id and public key (base64 SPKI) as JSON: what the vendor certifies
  identity birth-cert  the factory step: keep the vendor's birth certificate (pitwall birth-cert
                 issue) in identity/, after checking it names this unit's id and key

When ready, one JSON line on stdout: {"event":"ready","id":...,"apiPort":...,"serialPath":...}`;

class UsageError extends Error {}

type Parsed =
  | { help: boolean; version: boolean }
  | { reset: { dataDir: string } }
  | { show: { dataDir: string } }
  | { certify: { dataDir: string; file: string } }
  | { boot: { kind: ProfileKind; config: UnitConfig } };

async function parse(argv: string[]): Promise<Parsed> {
  const { values: parsed, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...CONFIG_FLAG_OPTIONS,
      config: { type: 'string' },
      confirm: { type: 'boolean' },
      file: { type: 'string' },
      version: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help || values.version) return { help: !!values.help, version: !!values.version };
  const [command, ...rest] = positionals;
  if (command === 'identity') {
    const identityUsage = 'usage: pitwall-device identity reset|show|birth-cert --data-dir DIR [--confirm] [--file FILE]';
    if (rest.length !== 1 || !['reset', 'show', 'birth-cert'].includes(rest[0]!)) throw new UsageError(identityUsage);
    if (typeof values['data-dir'] !== 'string') throw new UsageError('--data-dir is required');
    if (rest[0] === 'show') return { show: { dataDir: resolve(values['data-dir']) } };
    if (rest[0] === 'birth-cert') {
      if (typeof values.file !== 'string') throw new UsageError('identity birth-cert needs --file FILE (the certificate pitwall birth-cert issue wrote)');
      return { certify: { dataDir: resolve(values['data-dir']), file: resolve(values.file) } };
    }
    if (!values.confirm) throw new UsageError('identity reset makes this unit a new identity and unpairs every companion; add --confirm');
    return { reset: { dataDir: resolve(values['data-dir']) } };
  }
  if (command !== 'sim' && command !== 'run') throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const file = typeof values.config === 'string' ? resolve(values.config) : undefined;
  const { json, source } = await readConfigFile(file, command === 'run' ? DEFAULT_CONFIG_FILE : null);
  if (command === 'sim') {
    if (!isSet(json, values, ['dataDir'])) throw new UsageError('--data-dir is required');
    if (!isSet(json, values, ['api', 'port'])) throw new UsageError('--api-port is required (0 = any free port)');
  }
  return { boot: { kind: command === 'sim' ? 'sim' : 'real', config: configFromFlags(json, source, values) } };
}

async function main(): Promise<void> {
  let args: Parsed;
  try {
    args = await parse(process.argv.slice(2));
  } catch (err) {
    // A bad setting gets its sentence alone; a wrong command line gets the usage too.
    process.stderr.write(`pitwall-device: ${(err as Error).message}\n${err instanceof ConfigError ? '' : `\n${USAGE}\n`}`);
    process.exit(2);
  }
  if ('help' in args && args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if ('reset' in args) {
    const { retiredTo, moved } = await resetIdentity(args.reset.dataDir, stderrLogger('identity'));
    process.stdout.write(`identity reset: moved ${moved.join(', ') || 'nothing'} to ${retiredTo}; the next boot makes a new identity\n`);
    return;
  }
  if ('show' in args || 'certify' in args) {
    try {
      const me = 'show' in args ? await readStoredIdentity(args.show.dataDir) : await installBirthCertificate(args.certify.dataDir, args.certify.file);
      process.stdout.write(`${JSON.stringify(me)}\n`);
    } catch (err) {
      process.stderr.write(`pitwall-device: ${(err as Error).message}\n`);
      process.exit(1);
    }
    return;
  }
  if (!('boot' in args)) {
    process.stdout.write(`${FIRMWARE_VERSION} ${FIRMWARE_COMMIT}\n`);
    return;
  }
  // stdout carries only the ready line; libraries that console.log go to stderr.
  console.log = console.error;
  let unit: RunningUnit;
  try {
    unit = await bootUnit(args.boot.config, args.boot.kind, { processHandlers: true });
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
