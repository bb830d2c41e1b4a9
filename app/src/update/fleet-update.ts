import { stat } from 'node:fs/promises';
import { CompanionError, Routes, updateStatus, type UpdateStatus } from '@pitwall/protocol';
import { parseAnswer } from '../device-client/http-client.js';
import type { UnitChannels } from '../trust/unit-channel.js';
import { uploadBundle } from './bundle-upload.js';

/** Where one unit is in a push: sending, then installed (the unit reboots into it) or refused. */
export interface UnitPushProgress {
  unitId: string;
  phase: 'waiting' | 'sending' | 'installing' | 'installed' | 'refused';
  sent: number;
  total: number;
  error: string | null;
  status: UpdateStatus | null;
}

export interface FleetPushProgress {
  units: UnitPushProgress[];
  /** Bytes sent to every unit over bytes to send: 0..1. */
  overall: number;
}

export interface FleetPushOptions {
  channels: UnitChannels;
  unitIds: string[];
  file: string;
  onProgress?: (p: FleetPushProgress) => void;
  /** Per unit: upload, verification and install (default: 10 min plus 10 s per MB). */
  timeoutMs?: number;
}

/**
 * Pushes one bundle file to many paired units at once, each from its own read stream of the
 * file and its own connection (the pinned key proven first). One unit's refusal or lost link
 * does not stop the others; the result has each unit's outcome.
 */
export async function pushToUnits(o: FleetPushOptions): Promise<FleetPushProgress> {
  const { size } = await stat(o.file);
  const units: UnitPushProgress[] = o.unitIds.map((unitId) => ({ unitId, phase: 'waiting', sent: 0, total: size, error: null, status: null }));
  const snapshot = (): FleetPushProgress => ({
    units: units.map((u) => ({ ...u })),
    overall: size === 0 || units.length === 0 ? 1 : units.reduce((a, u) => a + (u.phase === 'refused' ? size : u.sent), 0) / (size * units.length),
  });
  let last = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    o.onProgress?.(snapshot());
  };
  const timeoutMs = o.timeoutMs ?? 600_000 + Math.ceil(size / 1e6) * 10_000;
  await Promise.all(
    units.map(async (u) => {
      const agent = await o.channels.streamAgent(u.unitId).catch((err: unknown) => err as Error);
      try {
        if (agent instanceof Error) throw agent;
        const target = await o.channels.provenTarget(u.unitId);
        u.phase = 'sending';
        report(true);
        const res = await uploadBundle({
          target,
          agent,
          file: o.file,
          size,
          timeoutMs,
          onBytes: (sent) => {
            u.sent = sent;
            if (sent === size) u.phase = 'installing';
            report(sent === size);
          },
        });
        u.status = parseAnswer(target, Routes.pushUpdate.path, res, updateStatus);
        u.phase = 'installed';
      } catch (err) {
        const e = err instanceof CompanionError ? err : o.channels.toCompanionError(u.unitId, err);
        u.phase = 'refused';
        u.error = e.message;
      } finally {
        if (!(agent instanceof Error)) agent.destroy();
        report(true);
      }
    }),
  );
  return snapshot();
}
