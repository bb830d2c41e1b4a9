#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { startBrowserHost } from './browser-host.js';
import { createDownloadTickets, type DownloadTickets } from './download-tickets.js';
import { parseCli, serveArgsToArgv, USAGE, UsageError, type DiscoverArgs, type ServeArgs } from './cli-args.js';
import { discoverOnce } from './companion.js';
import { cleanText, formatTable } from './discover-table.js';
import { openRuntime } from './companion-runtime.js';
import { APP_VERSION, ELECTRON_MAIN_PATH, RENDERER_DIR } from './paths.js';
import { runUnitCommand } from './unit-commands.js';
import { readSecret } from './read-secret.js';
import { runSessionCommand, SESSION_COMMANDS } from './session-commands.js';
import { runCompareCommand } from './compare-command.js';
import { runBundleCommand } from './bundle-commands.js';
import { LICENSE_VENDOR_COMMANDS, runLicenseVendorCommand } from './license-vendor-commands.js';
import { runUpdateCommand } from './update-commands.js';
import { runRecoveryCommand } from './recovery-commands.js';
import { runSupportExportCommand, SUPPORT_EXPORT_ACTIONS } from './support-export-cli.js';
import { LICENSE_FLEET_ACTIONS, runLicenseFleetCommand } from './license-fleet-commands.js';
import { runHubCommand } from './hub-commands.js';
import { runBirthCertCommand } from './birth-cert-command.js';

const log = (line: string): void => void process.stderr.write(`pitwall: ${line}\n`);

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'bundle') {
    return runBundleCommand(argv.slice(1), {
      out: (line) => void process.stdout.write(`${line}\n`),
      err: (line) => log(cleanText(line)),
      usage: (text) => void process.stderr.write(`\n${text}\n`),
    });
  }
  if (argv[0] === 'license' && LICENSE_VENDOR_COMMANDS.has(argv[1] ?? '')) {
    return runLicenseVendorCommand(argv.slice(1), {
      out: (line) => void process.stdout.write(`${line}\n`),
      err: (line) => log(cleanText(line)),
      usage: (text) => void process.stderr.write(`\n${text}\n`),
    });
  }
  if (argv[0] === 'birth-cert') {
    return runBirthCertCommand(argv.slice(1), {
      out: (line) => void process.stdout.write(`${line}\n`),
      err: (line) => log(cleanText(line)),
      usage: (text) => void process.stderr.write(`\n${text}\n`),
    });
  }
  // Unit names, refusals and export names are device-supplied: no control characters reach the terminal.
  const cleanTerminal = { out: (line: string) => void process.stdout.write(`${cleanText(line)}\n`), err: (line: string) => log(cleanText(line)) };
  if (argv[0] === 'update') return runUpdateCommand(argv.slice(1), cleanTerminal);
  if (argv[0] === 'recovery') return runRecoveryCommand(argv.slice(1), cleanTerminal);
  if (argv[0] === 'support' && SUPPORT_EXPORT_ACTIONS.has(argv[1] ?? '')) return runSupportExportCommand(argv.slice(1), cleanTerminal);
  if (argv[0] === 'license' && LICENSE_FLEET_ACTIONS.has(argv[1] ?? '')) return runLicenseFleetCommand(argv.slice(1), cleanTerminal);
  if (argv[0] === 'hub') return runHubCommand(argv.slice(1), { out: (line) => void process.stdout.write(`${line}\n`), err: (line) => log(cleanText(line)) });
  if (argv[0] === 'compare') return runCompareCommand(argv.slice(1), { out: (line) => void process.stdout.write(`${line}\n`), err: (line) => log(cleanText(line)) });
  if (SESSION_COMMANDS.has(argv[0] ?? '') && !(argv[0] === 'tracks' && argv[1] === 'push')) {
    return runSessionCommand(argv, {
      out: (line) => void process.stdout.write(`${line}\n`),
      err: (line) => log(cleanText(line)),
    });
  }
  let args;
  try {
    args = parseCli(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`pitwall: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (args.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${APP_VERSION}\n`);
      return 0;
    case 'discover':
      return discover(args);
    case 'serve':
      return serve(args);
    case 'start':
      return start(args);
    case 'pair':
    case 'operators':
    case 'unpair':
    case 'diagnostics':
    case 'tracks-push':
    case 'support-on':
    case 'support-off':
    case 'support-status':
    case 'requests':
    case 'approve':
    case 'deny':
    case 'wifi':
      return runUnitCommand(args, {
        secret: readSecret,
        // unit names and messages are device-supplied: no control characters reach the terminal
        out: (line) => void process.stdout.write(`${cleanText(line)}\n`),
        err: (line) => log(cleanText(line)),
      });
  }
}

async function discover(args: DiscoverArgs): Promise<number> {
  const units = await discoverOnce({
    timeoutMs: args.timeoutS * 1000,
    serialPaths: args.serialPaths,
    addresses: args.addresses,
    mdns: args.mdns,
    log: args.verbose ? (line) => log(line) : (line) => (/unreachable|not a|refused|invalid/i.test(line) ? log(line) : undefined),
  });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(units, null, 2)}\n`);
    return 0;
  }
  if (units.length === 0) {
    log(`no units found in ${args.timeoutS} s (check the USB cable, that the laptop is on the unit's Wi-Fi, or add the unit by address)`);
    return 0;
  }
  process.stdout.write(formatTable(units));
  return 0;
}

async function serve(args: ServeArgs): Promise<number> {
  let tickets: DownloadTickets | undefined;
  const runtime = await openRuntime({
    ...args,
    mode: 'browser',
    log,
    debug: args.verbose ? (line) => log(line) : undefined,
    supportDownloads: (dataDir) => (tickets = createDownloadTickets(join(dataDir, 'support-downloads'))).downloads,
  });
  let host;
  try {
    host = await startBrowserHost({
      handlers: runtime.handlers,
      events: runtime.events,
      rendererDir: RENDERER_DIR,
      port: args.port,
      downloads: tickets,
      log,
      onInternalError: (method, err) => log(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
  } catch (err) {
    await runtime.close();
    tickets?.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      log(`port ${args.port} is in use; choose another with --port, or --port 0 for any free port`);
      return 1;
    }
    throw err;
  }
  if (!existsSync(RENDERER_DIR)) log(`the UI is not built (${RENDERER_DIR} is missing): run npm run build`);
  log(`data directory: ${runtime.dataDir}`);
  log(`browser mode on ${host.url.split('#')[0]} (open the URL below; it carries this launch's access token)`);
  // Listen for the stop signals before announcing ready: whoever reads the ready line may
  // signal at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: host.url })}\n`);
  await stopped;
  log('stopping');
  await host.close();
  await runtime.close();
  tickets?.close();
  return 0;
}

/**
 * Path of the installed Electron binary, or null when only electron's types are installed.
 * Never `require('electron')` here: with the binary missing, electron's index.js tries to
 * download it. Read its path.txt and look for the file in dist/ instead.
 */
function electronBinary(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('electron/package.json');
    const pathFile = join(dirname(pkg), 'path.txt');
    if (!existsSync(pathFile)) return null;
    const rel = readFileSync(pathFile, 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dirname(pkg), 'dist');
    const binary = join(dist, rel);
    return rel !== '' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

async function start(args: ServeArgs): Promise<number> {
  const binary = electronBinary();
  if (!binary) {
    log('the Electron binary is not installed (npm run desktop fetches it); starting browser mode instead');
    return serve({ ...args, command: 'serve' });
  }
  log(`opening the desktop window (Electron at ${binary})`);
  const child = spawn(binary, [ELECTRON_MAIN_PATH, ...serveArgsToArgv(args)], { stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

main(process.argv.slice(2)).then(
  (code) => {
    // The companion core may keep sockets or timers; the command is done, so exit now.
    process.exit(code);
  },
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
