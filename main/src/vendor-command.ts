import type { Io } from './session-commands.js';

/**
 * What the vendor's offline commands share (`pitwall bundle`, `pitwall license keygen|issue|…`,
 * `pitwall birth-cert`): the key options, the check of a required option, and how they end:
 * exit 2 with the usage for bad arguments, 1 with one sentence for a refusal or a failure, and an
 * output file that exists already is never overwritten.
 */

export interface VendorIo extends Io {
  /** Multi-line usage text, written as it is (err lines are cleaned to one line each). */
  usage(text: string): void;
}

/** Arguments the command cannot run with: said with the usage, exit 2. */
export class UsageError extends Error {}

/** The options of the commands that sign with a vendor key (--key), check against vendor keys (--public) or write a file (--out). */
export const VENDOR_KEY_OPTIONS = {
  out: { type: 'string' },
  key: { type: 'string' },
  public: { type: 'string', multiple: true },
} as const;

/** The value of a required string option (matching `pattern`, when given). */
export function need(values: Record<string, unknown>, name: string, pattern?: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  if (pattern && !new RegExp(pattern).test(v)) throw new UsageError(`--${name} is not well formed`);
  return v;
}

/** A repeatable option's values (none when it was not given). */
export const strings = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

export interface VendorCommand<P> {
  usage: string;
  /** The parseArgs of the arguments after the subcommand. */
  parse(args: string[]): P;
  run(sub: string | undefined, parsed: P): Promise<number>;
  /** What the command writes, for "FILE exists already; … are never overwritten". */
  neverOverwritten: string;
  /** The error its library refuses with, said as "refused (code): message". */
  refusal?: new (...args: never[]) => Error & { code: string };
}

/** Runs `pitwall <command> SUB …` (argv from SUB). Exit 0 ok, 1 refused or failed, 2 usage. */
export async function runVendorCommand<P>(argv: string[], io: VendorIo, command: VendorCommand<P>): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed: P;
  try {
    parsed = command.parse(rest);
  } catch (err) {
    io.err((err as Error).message);
    io.usage(command.usage);
    return 2;
  }
  try {
    return await command.run(sub, parsed);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      io.usage(command.usage);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') io.err(`${e.path ?? 'the output file'} exists already; ${command.neverOverwritten} are never overwritten`);
    else io.err(command.refusal && err instanceof command.refusal ? `refused (${err.code}): ${err.message}` : e.message);
    return 1;
  }
}
