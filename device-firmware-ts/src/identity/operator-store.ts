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
  add(op: { fingerprint: string; name: string; role: Role; via: Operator['via'] }): Promise<Operator>;
  revoke(fingerprint: string): Promise<Operator>;
}

/** Paired operators in DATA_DIR/identity/operators.json, written crash-safely on every change. */
export async function openOperatorStore(dataDir: string): Promise<OperatorStore> {
  const file = join(dataDir, 'identity', 'operators.json');
  await removeStaleTemps(file);
  const byFp = new Map<string, Operator>();
  try {
    const parsed = operatorsFile.parse(JSON.parse(await readFile(file, 'utf8')));
    for (const op of parsed.operators) byFp.set(op.fingerprint, op);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      // Refuse to start with an unreadable list rather than forget who was revoked.
      throw new Error(`operators file ${file} is unreadable: ${(err as Error).message}`);
    }
  }
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    const content = `${JSON.stringify({ version: 1, operators: [...byFp.values()] }, null, 1)}\n`;
    saving = saving.then(() => writeFileAtomic(file, content));
    return saving;
  };
  const active = () => [...byFp.values()].filter((o) => o.revokedAt === null);
  return {
    get: (fp) => byFp.get(fp),
    list: () => [...byFp.values()].map((o) => ({ ...o })),
    hasActiveOwner: () => active().some((o) => o.role === 'owner'),
    activeOwners: () => active().filter((o) => o.role === 'owner').length,
    async add(op) {
      if (byFp.size >= MAX_OPERATORS) throw new Error(`at most ${MAX_OPERATORS} operators`);
      const entry: Operator = { ...op, pairedAt: new Date().toISOString(), revokedAt: null };
      byFp.set(op.fingerprint, entry);
      await save();
      return { ...entry };
    },
    async revoke(fp) {
      const op = byFp.get(fp);
      if (!op) throw new Error(`no operator ${fp}`);
      if (op.revokedAt === null) {
        op.revokedAt = new Date().toISOString();
        await save();
      }
      return { ...op };
    },
  };
}
