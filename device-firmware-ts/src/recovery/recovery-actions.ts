import type { FactoryResetResult, Operator, RecoveryRollbackResult, RecoveryStatus, SlotName } from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import type { OperatorStore } from '../identity/operator-store.js';
import type { Logger } from '../ops/logger.js';
import { BootRecordStore } from '../update/boot-record-store.js';
import { FactoryResetError, factoryReset } from './factory-reset.js';
import type { WifiWipe } from './wifi-wipe.js';
import type { RecoveryIdentity } from './recovery-identity.js';
import { RecoveryRefusal, rollBackTo } from './recovery-rollback.js';

export interface RecoveryActionDeps {
  dataDir: string;
  wipeWifi: WifiWipe;
  identity: RecoveryIdentity;
  operators: OperatorStore;
  /** The operator list read again from disk (after a factory reset: empty). */
  reopenOperators: () => Promise<OperatorStore>;
  audit: AuditLog;
  log: Logger;
}

/** Who asked, and over which link (the audit record says both). */
export interface RecoveryCaller {
  operator: Operator | undefined;
  via: 'network' | 'usb';
}

export type RecoveryActions = ReturnType<typeof recoveryActions>;

/**
 * What recovery mode does, whichever link the operator came over (HTTPS or USB serial): the
 * status, a rollback and a factory reset, each change audited with who asked. Refusals are
 * RecoveryRefusal (status and code of the HTTP API). `operators` is the list both links check
 * callers against; after a factory reset it answers from the emptied list.
 */
export function recoveryActions(d: RecoveryActionDeps) {
  let current = d.operators;
  const operators: OperatorStore = {
    get: (fp) => current.get(fp),
    list: () => current.list(),
    hasActiveOwner: () => current.hasActiveOwner(),
    activeOwners: () => current.activeOwners(),
    add: (op) => current.add(op),
    revoke: (fp) => current.revoke(fp),
    remove: (fp) => current.remove(fp),
  };
  const records = new BootRecordStore(d.dataDir, d.log);
  const audit = (who: RecoveryCaller, outcome: 'ok' | 'error', detail: string) =>
    d.audit.write({ event: 'recovery', outcome, operatorFingerprint: who.operator?.fingerprint ?? null, role: who.operator?.role ?? null, via: who.via, detail: detail.slice(0, 500) });

  return {
    operators,

    async status(): Promise<RecoveryStatus> {
      const { record } = await records.read();
      return { mode: 'recovery', unitId: d.identity.id, active: record.active, lastGood: record.lastGood, slots: record.slots };
    },

    async rollback(slot: SlotName, who: RecoveryCaller): Promise<RecoveryRollbackResult> {
      const { record, version } = await rollBackTo(d.dataDir, slot, d.log);
      await audit(who, 'ok', `rolled back to slot ${record.active} (${version})`);
      return { active: record.active, version };
    },

    async factoryReset(confirmUnitId: string, who: RecoveryCaller): Promise<FactoryResetResult> {
      if (confirmUnitId !== d.identity.id) throw new RecoveryRefusal(400, 'confirm-mismatch', "confirmUnitId is not this unit's id: nothing was wiped");
      // On record before anything goes: a reset that cannot be audited does not happen.
      if (!(await audit(who, 'ok', `factory reset started (identity ${d.identity.fingerprint} kept)`))) throw new RecoveryRefusal(503, 'audit-unavailable', 'the audit log cannot be written: nothing was wiped');
      const wiped = await factoryReset({ dataDir: d.dataDir, wipeWifi: d.wipeWifi }).catch(async (err: Error) => {
        if (!(err instanceof FactoryResetError)) throw err;
        await audit(who, 'error', `factory reset stopped: ${err.message}`);
        throw new RecoveryRefusal(503, 'wifi-wipe-failed', err.message);
      });
      current = await d.reopenOperators();
      await audit(who, 'ok', `factory reset: wiped ${wiped.join(', ') || 'nothing (already clean)'}`);
      d.log.warn(`factory reset by ${who.operator?.fingerprint ?? '?'} over ${who.via}: wiped ${wiped.join(', ')}`);
      return { wiped, unitId: d.identity.id, fingerprint: d.identity.fingerprint };
    },
  };
}
