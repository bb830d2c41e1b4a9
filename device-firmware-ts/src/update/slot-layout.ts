import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { slotManifest, type SlotManifest, type SlotName } from '@pitwall/protocol/update';
import { fsyncDir, writeFileAtomic } from '@pitwall/protocol/node';

/**
 * The unit's data partition holds two runtime slots and the boot-state record:
 *
 *   DATA_DIR/slots/A/        one runtime build; slot.json (written last) says it is complete
 *   DATA_DIR/slots/B/
 *   DATA_DIR/slots/A.good    the time slot A last passed its health gate (removed when A is rewritten)
 *   DATA_DIR/boot/record.0   the boot-state record, two checksummed copies
 *   DATA_DIR/boot/record.1
 *   DATA_DIR/update/staging/ what is being downloaded and verified
 *
 * (docs/update-slots.md: how a whole-image A/B adapter maps onto this.)
 */
export const SLOTS: readonly SlotName[] = ['A', 'B'];
export const otherSlot = (s: SlotName): SlotName => (s === 'A' ? 'B' : 'A');

export const slotsDir = (dataDir: string) => join(dataDir, 'slots');
export const slotDir = (dataDir: string, slot: SlotName) => join(slotsDir(dataDir), slot);
export const bootDir = (dataDir: string) => join(dataDir, 'boot');
export const stagingDir = (dataDir: string) => join(dataDir, 'update', 'staging');
const goodMark = (dataDir: string, slot: SlotName) => join(slotsDir(dataDir), `${slot}.good`);
export const SLOT_MANIFEST = 'slot.json';

/** The slot's manifest, or null when the slot is empty, half-written or unreadable. */
export async function readSlotManifest(dataDir: string, slot: SlotName): Promise<SlotManifest | null> {
  try {
    const value: unknown = JSON.parse(await readFile(join(slotDir(dataDir, slot), SLOT_MANIFEST), 'utf8'));
    return slotManifest.is(value) ? value : null;
  } catch {
    return null;
  }
}

/** Written by the launcher when a slot passes its health gate: the fallback when the record is lost. */
export async function markSlotGood(dataDir: string, slot: SlotName, at = new Date()): Promise<void> {
  await mkdir(slotsDir(dataDir), { recursive: true });
  await writeFileAtomic(goodMark(dataDir, slot), `${at.toISOString()}\n`, 0o644);
}

export async function clearSlotGood(dataDir: string, slot: SlotName): Promise<void> {
  await rm(goodMark(dataDir, slot), { force: true });
  await fsyncDir(slotsDir(dataDir)).catch(() => undefined);
}

/** The slot that passed its health gate last, by its mark; null when neither has one. */
export async function lastMarkedGood(dataDir: string): Promise<SlotName | null> {
  let best: { slot: SlotName; at: number } | null = null;
  for (const slot of SLOTS) {
    const text = await readFile(goodMark(dataDir, slot), 'utf8').catch(() => '');
    const at = Date.parse(text.trim());
    if (Number.isNaN(at)) continue;
    if (!best || at > best.at) best = { slot, at };
  }
  return best?.slot ?? null;
}
