import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { Operator, validator, type Role } from '@pitwall/protocol';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';

const OperatorsFile = Type.Object({ version: Type.Literal(1), operators: Type.Array(Operator) }, { additionalProperties: false });
const operatorsFile = validator('operators.json', OperatorsFile);

/** Bounds the file (and the work of a flood of pairings inside one window). */
export const MAX_OPERATORS = 64;

export interface OperatorStore {
  /** The operator with this key, revoked or not. */
  get(fingerprint: string): Operator | undefined;
  list(): Operator[];
  hasActiveOwner(): boolean;
  activeOwners(): number;
  /** Resolves once the new list is durable; only then is the operator in memory. */
  add(op: { fingerprint: string; name: string; role: Role; via: Operator['via'] }): Promise<Operator>;
  revoke(fingerprint: string): Promise<Operator>;
  /** Forgets an operator (undoing a pairing that could not be audited); durable like add. */
  remove(fingerprint: string): Promise<void>;
}

export interface OperatorStoreOptions {
  /** Durable whole-file write (temp, fsync, rename, fsync dir). A seam for tests that inject EIO or ENOSPC. */
  writeFile?: (file: string, content: string) => Promise<void>;
}

/**
 * Paired operators in DATA_DIR/identity/operators.json, written crash-safely on every change.
 * A change is computed on a copy, saved, and only then becomes the list in memory: a failed save
 * fails that call and leaves the list as it was (on disk and in memory), so what the unit
 * enforces is what a reboot will enforce. Saves run one at a time; a failure does not stop the
 * next.
 */
export async function openOperatorStore(dataDir: string, opts: OperatorStoreOptions = {}): Promise<OperatorStore> {
  const write = opts.writeFile ?? ((f: string, c: string) => writeFileAtomic(f, c));
  const file = join(dataDir, 'identity', 'operators.json');
  await removeStaleTemps(file);
  let byFp = new Map<string, Operator>();
  try {
    const parsed = operatorsFile.parse(JSON.parse(await readFile(file, 'utf8')));
    for (const op of parsed.operators) byFp.set(op.fingerprint, op);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      // Refuse to start with an unreadable list rather than forget who was revoked.
      throw new Error(`operators file ${file} is unreadable: ${(err as Error).message}`);
    }
  }
  let saving: Promise<unknown> = Promise.resolve();
  /** Applies `change` to a copy of the list, saves it, then makes it the list; the change's result. */
  const commit = <T>(change: (next: Map<string, Operator>) => T): Promise<T> => {
    const run = saving.then(async () => {
      const next = new Map([...byFp].map(([k, v]) => [k, { ...v }]));
      const result = change(next);
      if (next.size > MAX_OPERATORS) throw new Error(`at most ${MAX_OPERATORS} operators`);
      await write(file, `${JSON.stringify({ version: 1, operators: [...next.values()] }, null, 1)}\n`);
      byFp = next;
      return result;
    });
    saving = run.catch(() => undefined);
    return run;
  };
  const active = () => [...byFp.values()].filter((o) => o.revokedAt === null);
  return {
    // Entries are never changed in place (a change makes new ones), so callers may keep them.
    get: (fp) => byFp.get(fp),
    list: () => [...byFp.values()].map((o) => ({ ...o })),
    hasActiveOwner: () => active().some((o) => o.role === 'owner'),
    activeOwners: () => active().filter((o) => o.role === 'owner').length,
    add: (op) =>
      commit((next) => {
        if (next.has(op.fingerprint)) throw new Error(`operator ${op.fingerprint} is already on the list`);
        const entry: Operator = { ...op, pairedAt: new Date().toISOString(), revokedAt: null };
        next.set(op.fingerprint, entry);
        return { ...entry };
      }),
    revoke: (fp) =>
      commit((next) => {
        const op = next.get(fp);
        if (!op) throw new Error(`no operator ${fp}`);
        op.revokedAt ??= new Date().toISOString();
        return { ...op };
      }),
    remove: (fp) =>
      commit((next) => {
        next.delete(fp);
      }),
  };
}
