import { mkdir, rm } from 'node:fs/promises';
import type { BootRecord, SlotName, UpdateStateName, UpdateStatus } from '@pitwall/protocol/update';
import type { Logger } from '../ops/logger.js';
import type { BootRecordStore } from './boot-record-store.js';
import { installInto, type SlotPayloadSource } from './slot-installer.js';
import { clearSlotGood, otherSlot, slotDir, stagingDir } from './slot-layout.js';
import { enterState, isTerminal, TransitionError } from './update-state-table.js';

/**
 * Where an update comes from, in two steps the agent runs in order: bring the bytes into the
 * staging directory, then verify them and hand back the payload to install. A signed bundle
 * (bundles) and a plain directory (the sim, tests) both fit.
 */
export interface UpdateSource {
  download(staging: string, onProgress: (fraction: number) => void): Promise<void>;
  verify(staging: string, onProgress: (fraction: number) => void): Promise<SlotPayloadSource>;
}

export interface UpdateAgentOptions {
  store: BootRecordStore;
  log: Logger;
  /** The slot this runtime was booted from (PITWALL_SLOT from the launcher), null outside one. */
  booted: SlotName | null;
  /** Boot attempts the new slot gets (default 3). */
  attempts?: number;
  /** Asks the launcher for the reboot into the new slot. */
  reboot: () => void;
  /** Called on every state entry (after it is persisted), for tests and the log. */
  onState?: (state: UpdateStateName) => void;
}

export class UpdateBusyError extends Error {
  readonly code = 'update-busy';
}

/**
 * The runtime's side of an update: downloading → verifying → installing → rebooting, each state
 * persisted in the boot record on entry, before its work starts. The launcher takes it from
 * there (trying → committed | rolled back).
 */
export class UpdateAgent {
  private live: { state: UpdateStateName; progress: number } | null = null;
  constructor(private readonly o: UpdateAgentOptions) {}

  async status(): Promise<UpdateStatus> {
    const { record } = await this.o.store.read();
    const u = record.update;
    const live = this.live && this.live.state === u.state ? this.live.progress : u.progress;
    return {
      operation: u.state,
      progress: live,
      target: u.target,
      targetVersion: u.version,
      lastError: u.lastError,
      booted: this.o.booted,
      active: record.active,
      tried: record.tried,
      attemptsLeft: record.attemptsLeft,
      lastGood: record.lastGood,
      slots: record.slots,
      bootFailures: u.bootFailures,
      changedAt: u.changedAt,
    };
  }

  private async enter(state: UpdateStateName, change: (r: BootRecord) => BootRecord = (r) => r, extra: Parameters<typeof enterState>[2] = {}): Promise<BootRecord> {
    const written = await this.o.store.update((r) => change(enterState(r, state, extra)));
    if (written.update.state !== state) throw new Error(written.update.lastError ?? `update moved to ${written.update.state}`);
    this.live = { state, progress: 0 };
    this.o.log.info(`update: ${state}`, { state, target: written.update.target, version: written.update.version });
    this.o.onState?.(state);
    return written;
  }

  private progress = (fraction: number) => {
    if (this.live) this.live.progress = Math.max(0, Math.min(1, fraction));
  };

  /**
   * Runs an update into the slot not booted (in recovery mode: the slot that is not last good). Refused while another update (or a trial) is
   * under way. Errors move the update to failed with the error as its LastError; the booted
   * slot is never touched.
   */
  async run(source: UpdateSource): Promise<void> {
    const { record } = await this.o.store.read();
    if (!isTerminal(record.update.state)) throw new UpdateBusyError(`an update is already ${record.update.state}`);
    // Not booted from a slot (recovery mode, or outside the launcher): the slot to keep is the last good one.
    const booted = this.o.booted ?? record.lastGood ?? record.active;
    const target = otherSlot(booted);
    if (record.tried !== null) throw new UpdateBusyError(`slot ${record.tried} is on trial`);
    // The slot to write must never be the one a rollback would return to.
    if (record.lastGood === target) throw new UpdateBusyError(`the booted slot ${booted} has not passed its health gate; updating would overwrite slot ${target}, the last good one`);
    const staging = stagingDir(this.o.store.dataDir);
    try {
      // The slot's recorded state changes only when its files do (installing): a bundle refused before that leaves it as it was.
      await this.enter('downloading', (r) => r, { target, version: null, lastError: null });
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await source.download(staging, this.progress);
      await this.enter('verifying');
      const payload = await source.verify(staging, this.progress);
      await this.enter('installing', (r) => ({ ...r, slots: { ...r.slots, [target]: { version: null, status: 'installing' } } }), { version: payload.version });
      await clearSlotGood(this.o.store.dataDir, target);
      await installInto(slotDir(this.o.store.dataDir, target), payload, this.progress);
      const attempts = this.o.attempts ?? 3;
      // One write names the target, its attempts and the reboot: the point of no return.
      await this.enter('rebooting', (r) => ({ ...r, tried: target, attemptsLeft: attempts, slots: { ...r.slots, [target]: { version: payload.version, status: 'installed' } } }));
    } catch (err) {
      if (err instanceof TransitionError) throw err;
      const message = (err as Error).message;
      this.o.log.error(`update failed: ${message}`);
      await this.o.store.update((r) =>
        isTerminal(r.update.state) ? null : { ...enterState(r, 'failed', { lastError: message }), slots: { ...r.slots, [target]: r.slots[target].status === 'installing' ? { version: null, status: 'empty' } : r.slots[target] } },
      );
      this.live = null;
      throw err;
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
    this.o.reboot();
  }
}
