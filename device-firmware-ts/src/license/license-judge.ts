import type { LicenseFeature, LicensePayload, LicenseStatus } from '@pitwall/protocol';
import type { ClockReading } from './trusted-clock.js';

/**
 * The licence's state at one moment, from facts only (pure: the service gathers the facts, the
 * tests give them directly). Order of the checks: no licence, a licence that did not verify, one
 * revoked, one not yet started, then the dates.
 */

const DAY_MS = 24 * 3600 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

export interface JudgeFacts {
  /** The held licence file's verified payload, or null when none is held. */
  licence: LicensePayload | null;
  /** Why the held file does not count (signature, key, another unit), when it does not. */
  problem: string | null;
  /** Licence ids on the held revocation list, with the list's reason. */
  revoked: ReadonlyMap<string, string>;
  revocationListNumber: number;
  clock: ClockReading;
  /** Whether the unit enforces licences (reported as is). */
  enforced: boolean;
}

/** The dates a licence implies: when its features lapse (expiry or file TTL, the first) and when grace ends. */
export function licenceDates(p: LicensePayload): { startsMs: number; expiresMs: number; refreshByMs: number; lapseMs: number; graceEndsMs: number } {
  const startsMs = Date.parse(p.starts);
  const expiresMs = Date.parse(p.expires);
  const refreshByMs = Date.parse(p.issued) + p.ttlDays * DAY_MS;
  const lapseMs = Math.min(expiresMs, refreshByMs);
  return { startsMs, expiresMs, refreshByMs, lapseMs, graceEndsMs: lapseMs + p.graceDays * DAY_MS };
}

export function judgeLicence(f: JudgeFacts): LicenseStatus {
  const base = { revocationListNumber: f.revocationListNumber, clock: { now: f.clock.now, source: f.clock.source, tampered: f.clock.tampered, tamperedAt: f.clock.tamperedAt }, checkedAt: f.clock.now, enforced: f.enforced };
  const p = f.licence;
  if (!p) {
    return { state: f.problem ? 'invalid' : 'none', reason: f.problem ?? 'no licence installed', licenseId: null, features: [], licensedFeatures: [], starts: null, expires: null, graceEnds: null, refreshBy: null, daysLeft: null, ...base };
  }
  const d = licenceDates(p);
  const facts = { licenseId: p.licenseId, licensedFeatures: [...p.features], starts: p.starts, expires: p.expires, graceEnds: iso(d.graceEndsMs), refreshBy: iso(d.refreshByMs), ...base };
  const stopped = (state: LicenseStatus['state'], reason: string): LicenseStatus => ({ state, reason, features: [], daysLeft: 0, ...facts });
  if (f.problem) return stopped('invalid', f.problem);
  const revokedWhy = f.revoked.get(p.licenseId);
  if (revokedWhy !== undefined) return stopped('revoked', `licence ${p.licenseId} is revoked (list ${f.revocationListNumber}${revokedWhy ? `: ${revokedWhy.slice(0, 120)}` : ''})`);
  const now = f.clock.nowMs;
  if (now < d.startsMs) return stopped('invalid', `licence ${p.licenseId} is not in force before ${day(d.startsMs)}`);
  const daysLeft = Math.max(0, Math.floor((d.graceEndsMs - now) / DAY_MS));
  const inForce = (state: LicenseStatus['state'], reason: string): LicenseStatus => ({ state, reason, features: [...p.features] as LicenseFeature[], daysLeft, ...facts });
  if (now < d.lapseMs) return inForce('active', `licence ${p.licenseId} is active until ${day(d.lapseMs)}${d.refreshByMs < d.expiresMs ? ' (its file must be renewed by then)' : ''}`);
  const lapse = d.expiresMs <= d.refreshByMs ? `expired on ${day(d.expiresMs)}` : `file was not renewed by ${day(d.refreshByMs)}`;
  if (now < d.graceEndsMs) return inForce('grace', `licence ${p.licenseId} ${lapse}; its features work until ${day(d.graceEndsMs)} (grace)`);
  return stopped('expired', `licence ${p.licenseId} ${lapse}${p.graceDays > 0 ? ` and its grace ended on ${day(d.graceEndsMs)}` : ''}`);
}
