import { readFileSync } from 'node:fs';
import { readSecret } from './read-secret.js';
import type { Io } from './session-commands.js';

/** The options every `pitwall hub …` command takes, for its parseArgs. */
export const HUB_COMMON_OPTIONS = {
  hub: { type: 'string' },
  'token-file': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/**
 * How a `pitwall hub …` command refuses its arguments: `usage(why)` says why with the command's
 * usage text and gives exit code 2; `parse(f)` runs its parseArgs and answers that exit code
 * when parseArgs refuses them.
 */
export function hubUsage(usageText: string, io: Io) {
  const usage = (why: string): number => (io.err(`${why}\n\n${usageText}`), 2);
  const parse = <R>(f: () => R): R | number => {
    try {
      return f();
    } catch (err) {
      return usage((err as Error).message);
    }
  };
  return { usage, parse };
}

/** What every `pitwall hub …` command takes as `--hub URL`. */
export const isHubUrl = (url: string | undefined): url is string => url !== undefined && /^https?:\/\/[^\s]+$/.test(url);
export const HUB_URL_NEEDED = '--hub URL (http:// or https://) is needed';

/**
 * A hub member token: the first line of `tokenFile`, else PITWALL_HUB_TOKEN, else typed (or the
 * first line of stdin). A file that cannot be read is named by its error code, never by content.
 */
export async function readHubToken(tokenFile: string | undefined): Promise<{ token: string } | { problem: string }> {
  let token: string;
  try {
    token = tokenFile ? readFileSync(tokenFile, 'utf8').split('\n')[0]! : (process.env.PITWALL_HUB_TOKEN ?? (await readSecret('hub member token: ')));
  } catch (err) {
    return { problem: `cannot read the token file: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  token = token.trim();
  return token ? { token } : { problem: 'no member token of the hub was given (--token-file FILE, PITWALL_HUB_TOKEN or stdin)' };
}
