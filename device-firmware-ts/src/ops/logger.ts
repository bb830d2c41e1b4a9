/** Human-readable logs on stderr (stdout carries only machine-readable events). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(scope: string, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const line = (level: string, msg: string) => write(`${new Date().toISOString()} ${level} [${scope}] ${msg}\n`);
  return {
    info: (msg) => line('info', msg),
    warn: (msg) => line('warn', msg),
    error: (msg) => line('error', msg),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
