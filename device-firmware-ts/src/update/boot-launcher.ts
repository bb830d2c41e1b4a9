import type { BootRecord, SlotManifest, SlotName } from '@pitwall/protocol/update';
import type { Logger } from '../ops/logger.js';
import { chooseBoot, noteBootFailure } from './boot-chooser.js';
import type { BootNotifier } from './boot-notify.js';
import { throttledWatchdog } from './boot-notify.js';
import { BootRecordStore } from './boot-record-store.js';
import { runRecovery, type RecoveryBoot } from './boot-recovery.js';
import { runSlotProcess, type SlotOutcome, type SlotRunOptions } from './boot-slot-process.js';
import { markSlotGood, readSlotManifest, SLOTS, slotDir } from './slot-layout.js';
import { enterState } from './update-state-table.js';

export interface LauncherOptions {
  dataDir: string;
  /** Arguments for the runtime (after its entry), e.g. `sim --data-dir ... --api-port 0`. */
  runtimeArgs: string[];
  /** Boot attempts a new slot gets (the agent writes them; 3 by default). */
  attempts?: number;
  trialS: number;
  watchdogS: number;
  startTimeoutS: number;
  gnssWindowS?: number;
  notifier: BootNotifier;
  log: Logger;
  /** One JSON line per decision, for the sim and the tests (the launcher's stdout). */
  emit: (event: Record<string, unknown>) => void;
  /** Resolves when the launcher is asked to stop (SIGTERM). */
  stopSignal: Promise<void>;
  onSpawn?: SlotRunOptions['onSpawn'];
  /** Recovery mode: started instead of any slot while its button is held at boot. */
  recovery?: RecoveryBoot;
}

/** A slot that keeps crashing is restarted no faster than this. */
const RESTART_BACKOFF_MS = 1000;

const commit = (slot: SlotName) => (r: BootRecord) =>
  r.tried === slot && r.update.state === 'trying'
    ? { ...enterState(r, 'committed', { lastError: null }), tried: null, attemptsLeft: 0, active: slot, lastGood: slot, slots: { ...r.slots, [slot]: { ...r.slots[slot], status: 'good' as const } } }
    : null;

/** Fills in slots the record knows nothing of (a factory image, a record rebuilt from a default). */
function reconcile(record: BootRecord, manifests: Record<SlotName, SlotManifest | null>): BootRecord {
  const slots = { ...record.slots };
  for (const s of SLOTS) {
    const m = manifests[s];
    if (m && slots[s].status === 'empty' && record.update.target !== s) slots[s] = { version: m.version, status: s === record.lastGood ? 'good' : 'installed' };
  }
  return { ...record, slots };
}

/**
 * pitwall-boot's loop, the bootloader of the runtime slots: read the record, choose the slot
 * (spending a trial attempt before the start), persist, run the slot's runtime until it exits,
 * hangs, fails its health gate or asks for a reboot; record how a trial boot ended; again.
 */
export async function runLauncher(o: LauncherOptions): Promise<void> {
  const store = new BootRecordStore(o.dataDir, o.log);
  const relay = throttledWatchdog(o.notifier, 1000);
  let stopping = false;
  void o.stopSignal.then(() => (stopping = true));
  let notifiedReady = false;

  // A recovery mode that hung is started again, button or not: someone chose recovery.
  let recoveryAgain = false;
  while (!stopping) {
    if (o.recovery && (recoveryAgain || (await o.recovery.held()))) {
      o.emit({ launcher: 'recovery', entry: o.recovery.entry });
      o.log.warn('recovery button held at boot: starting recovery mode instead of a runtime slot');
      const outcome = await runRecovery({
        recovery: o.recovery,
        runtimeArgs: o.runtimeArgs,
        notifier: o.notifier,
        watchdogS: o.watchdogS,
        startTimeoutS: o.startTimeoutS,
        onBeat: relay,
        stopSignal: o.stopSignal,
        onSpawn: o.onSpawn,
      });
      if (outcome.kind === 'stopped') break;
      o.emit({ launcher: 'recovery-ended', outcome });
      recoveryAgain = outcome.kind === 'hung';
      if (outcome.kind === 'hung') o.log.error(`recovery mode ${outcome.why}: restarting it`);
      await Promise.race([new Promise((r) => setTimeout(r, RESTART_BACKOFF_MS)), o.stopSignal]);
      continue;
    }
    const read = await store.read();
    if (read.source === 'default' || read.source === 'one-copy') o.emit({ launcher: 'record-fallback', source: read.source, problems: read.problems });
    const manifests = { A: await readSlotManifest(o.dataDir, 'A'), B: await readSlotManifest(o.dataDir, 'B') };
    const choice = chooseBoot(reconcile(read.record, manifests), (s) => manifests[s] !== null);
    for (const n of choice.notes) o.log.info(n);
    const record = await store.write(choice.record);
    const { slot, trial } = choice;
    o.emit({ launcher: 'boot', slot, trial, attemptsLeft: record.attemptsLeft, version: slot ? manifests[slot]!.version : null, state: record.update.state, notes: choice.notes });
    if (record.update.state === 'rolled-back' && read.record.update.state !== 'rolled-back') {
      o.emit({ launcher: 'rolled-back', why: record.update.lastError, to: slot });
    }
    if (!slot) {
      o.log.fatal('no slot holds a complete runtime: nothing to boot (recovery needed)');
      o.notifier.status('no bootable slot');
      await Promise.race([new Promise((r) => setTimeout(r, 5000)), o.stopSignal]);
      continue;
    }
    o.notifier.status(`running slot ${slot} (${manifests[slot]!.version})${trial ? ', on trial' : ''}`);
    const outcome: SlotOutcome = await runSlotProcess({
      slot,
      slotDir: slotDir(o.dataDir, slot),
      manifest: manifests[slot]!,
      trial,
      runtimeArgs: o.runtimeArgs,
      watchdogS: o.watchdogS,
      startTimeoutS: o.startTimeoutS,
      trialS: o.trialS,
      gnssWindowS: o.gnssWindowS,
      stopSignal: o.stopSignal,
      onSpawn: o.onSpawn,
      onBeat: relay,
      onReady: (apiUrl) => {
        o.emit({ launcher: 'runtime-ready', slot, apiUrl });
        if (!notifiedReady) o.notifier.ready(`slot ${slot} up`);
        notifiedReady = true;
      },
      onGatePassed: async () => {
        const written = await store.update(commit(slot));
        if (written.update.state !== 'committed' || written.active !== slot) return;
        await markSlotGood(o.dataDir, slot);
        o.log.info(`slot ${slot} (${manifests[slot]!.version}) passed its health gate: committed`);
        o.emit({ launcher: 'committed', slot, version: manifests[slot]!.version });
      },
    });
    o.emit({ launcher: 'runtime-ended', slot, trial, outcome });
    if (outcome.kind === 'stopped') break;
    if (outcome.kind === 'reboot') continue;
    const why = outcome.why;
    o.log.error(`slot ${slot}: ${why}`);
    const now = await store.read();
    if (now.record.tried === slot && now.record.update.state === 'trying') {
      // A failed health gate is a verdict, not bad luck: no more attempts. A crash or a hang
      // (perhaps a power dip) spends one and the slot gets its next boot.
      await store.write({ ...noteBootFailure(now.record, why), attemptsLeft: outcome.kind === 'gate-failed' ? 0 : now.record.attemptsLeft });
    } else {
      await Promise.race([new Promise((r) => setTimeout(r, RESTART_BACKOFF_MS)), o.stopSignal]);
    }
  }
}
