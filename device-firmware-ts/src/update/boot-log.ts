import type { Logger } from '../ops/logger.js';

/**
 * The launcher's log: one line per message on stderr (journald timestamps and keeps it under
 * systemd). Not the unit logger: the launcher starts on every boot and must start fast, before
 * (and without) the runtime's logging and the whole protocol package.
 */
export function launcherLog(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at = (level: string) => (msg: string) => write(`pitwall-boot ${level}: ${msg}\n`);
  const log: Logger = { trace: () => {}, debug: () => {}, info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => log };
  return log;
}
