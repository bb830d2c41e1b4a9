import type { BootRecord, SlotName } from '@pitwall/protocol/update';
import { BootRecordStore } from '../update/boot-record-store.js';
import { readSlotManifest } from '../update/slot-layout.js';
import type { Logger } from '../ops/logger.js';

export class RecoveryRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Recovery's rollback: the boot record names `slot` active and last good, with no trial and no
 * update under way, so the launcher boots it when the unit next starts without the button. The
 * slot must hold a complete runtime (its slot.json) that has not failed its health gate; else
 * the record is left as it was.
 */
export async function rollBackTo(dataDir: string, slot: SlotName, log: Logger): Promise<{ record: BootRecord; version: string }> {
  const manifest = await readSlotManifest(dataDir, slot);
  if (!manifest) throw new RecoveryRefusal(409, 'slot-empty', `slot ${slot} holds no complete runtime; nothing to roll back to`);
  const store = new BootRecordStore(dataDir, log);
  const { record } = await store.read();
  if (record.slots[slot].status === 'bad') throw new RecoveryRefusal(409, 'slot-bad', `slot ${slot} (${manifest.version}) failed its health gate; it is not booted again`);
  const now = new Date().toISOString();
  const next: BootRecord = {
    ...record,
    active: slot,
    lastGood: slot,
    tried: null,
    attemptsLeft: 0,
    slots: { ...record.slots, [slot]: { version: manifest.version, status: 'good' } },
    update: { ...record.update, state: 'idle', target: null, version: null, progress: 0, lastError: `recovery: rolled back to slot ${slot} (${manifest.version}) by an operator`, changedAt: now },
  };
  return { record: await store.write(next), version: manifest.version };
}
