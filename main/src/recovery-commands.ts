import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultUserDataDir, FileSecretStore, OperatorKeyring, SerialRecovery, SerialRpcClient, SerialRpcError } from '@pitwall/app';
import type { RecoveryStatus, SlotName } from '@pitwall/protocol';
import type { Io } from './session-commands.js';

export const RECOVERY_USAGE = `  pitwall recovery status|rollback [A|B]|install BUNDLE|factory-reset [--confirm UNIT-ID] --serial PORT [--data-dir DIR]
      A unit in recovery mode (its recovery button held at power-on), over its USB serial port, for a
      paired owner or dealer: its slots; boot slot A or B from now on (default: the slot not active);
      install a signed bundle into the slot that is not last good (tried at the next normal start);
      factory reset (sessions, logs, Wi-Fi, operators wiped; identity kept: --confirm with its unit id).`;

class UsageError extends Error {}

const SUBS = ['status', 'rollback', 'install', 'factory-reset'] as const;
type Sub = (typeof SUBS)[number];

const describe = (s: RecoveryStatus) =>
  `unit ${s.unitId} in recovery mode: active slot ${s.active}, last good ${s.lastGood ?? 'none'}; A ${s.slots.A.version ?? '-'} (${s.slots.A.status}), B ${s.slots.B.version ?? '-'} (${s.slots.B.status})`;

/** `pitwall recovery ...`. Exit 0 done, 1 refused or failed, 2 usage. */
export async function runRecoveryCommand(argv: string[], io: Io): Promise<number> {
  let sub: Sub;
  let arg: string | undefined;
  let values: { serial?: string; 'data-dir'?: string; confirm?: string };
  try {
    const parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { serial: { type: 'string' }, 'data-dir': { type: 'string' }, confirm: { type: 'string' } } });
    values = parsed.values;
    const [s, a, ...extra] = parsed.positionals;
    if (!SUBS.includes(s as Sub)) throw new UsageError(`recovery needs one of ${SUBS.join(', ')}`);
    sub = s as Sub;
    arg = a;
    if (extra.length > 0 || (arg !== undefined && sub !== 'rollback' && sub !== 'install')) throw new UsageError(`too many arguments for recovery ${sub}`);
    if (sub === 'install' && !arg) throw new UsageError('which bundle? pitwall recovery install BUNDLE --serial PORT');
    if (sub === 'rollback' && arg !== undefined && arg !== 'A' && arg !== 'B') throw new UsageError('the slot is A or B');
    if (values.confirm !== undefined && sub !== 'factory-reset') throw new UsageError('--confirm is for factory-reset');
    if (!values.serial) throw new UsageError('recovery mode is reached over the unit\'s USB serial port: give it with --serial PORT');
  } catch (err) {
    io.err(`${(err as Error).message}\n${RECOVERY_USAGE}`);
    return 2;
  }
  let client: SerialRpcClient | null = null;
  try {
    client = await SerialRpcClient.open(values.serial!);
    const hello = await client.hello(3000);
    const dataDir = values['data-dir'] ?? defaultUserDataDir();
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const operator = await new OperatorKeyring(FileSecretStore.inDir(dataDir)).get();
    const recovery = new SerialRecovery(client, operator, hello.id);
    if (sub === 'status') {
      io.out(describe(await recovery.status()));
    } else if (sub === 'rollback') {
      const slot = (arg as SlotName | undefined) ?? ((await recovery.status()).active === 'A' ? 'B' : 'A');
      const r = await recovery.rollback(slot);
      io.out(`${hello.name}: slot ${r.active} (${r.version}) is active and last good; release the recovery button and restart the unit to boot it`);
    } else if (sub === 'install') {
      const file = resolve(arg!);
      let shown = -1;
      const status = await recovery.install(file, ({ sent, total }) => {
        const pct = Math.floor((sent / Math.max(1, total)) * 10) * 10;
        if (pct !== shown) io.out(`sending ${file}: ${(shown = pct)}%`);
      });
      io.out(`${hello.name}: installed ${status.targetVersion ?? '?'} in slot ${status.target ?? '?'}; release the recovery button and restart the unit to try it`);
    } else {
      if (values.confirm !== hello.id) {
        io.err(`a factory reset wipes ${hello.name}'s sessions, logs, Wi-Fi and operators (its identity is kept); to go ahead, add --confirm ${hello.id}`);
        return 2;
      }
      const r = await recovery.factoryReset(values.confirm);
      io.out(`${hello.name}: factory reset: wiped ${r.wiped.join(', ') || 'nothing'}; identity ${r.unitId} (${r.fingerprint}) kept. Pair it again over USB.`);
    }
    return 0;
  } catch (err) {
    const e = err as Error;
    io.err(err instanceof SerialRpcError && err.kind === 'remote' ? `refused${err.code ? ` (${err.code})` : ''}: ${e.message}` : e.message);
    return 1;
  } finally {
    await client?.close();
  }
}
