import { rm } from 'node:fs/promises';
import {
  LicenseError,
  licenceScopeProblem,
  type LicenseUnit,
  type LicenseFeature,
  type LicensePayload,
  type LicenseStatus,
  type RevocationList,
  type RevocationListApplied,
  type Role,
} from '@pitwall/protocol';
import { keyLookup, pinnedKeySet, verifyLicenseFile, verifyRevocationListFile, type KeyLookup, type VendorKeySet } from '@pitwall/protocol/node';
import type { AuditLog } from '../identity/audit-log.js';
import type { Logger } from '../ops/logger.js';
import { judgeLicence } from './license-judge.js';
import { heldRevocationList, licensePaths, prepareLicenseDir, readIfPresent, writeLicenseFile, type LicensePaths } from './license-files.js';
import { TrustedClock, type ClockReading, type ClockSources } from './trusted-clock.js';

/** How often the state is judged again (and the latest time seen saved). */
export const LICENSE_CHECK_MS = 60_000;

export interface LicenseServiceDeps {
  dataDir: string;
  unit: () => LicenseUnit;
  /** The vendor keys trusted now: the same pinned keys and held key list as update bundles. */
  keys: () => Promise<{ current(): VendorKeySet }>;
  audit: AuditLog;
  log: Logger;
  /** Whether a missing feature refuses its routes (always on real hardware). */
  enforced: boolean;
  clockSources?: ClockSources;
  checkEveryMs?: number;
}

export interface Actor {
  fingerprint: string;
  role: Role;
}

interface Held {
  text: string;
  /** The key set sequence it was verified against (a new key list verifies it again). */
  sequence: number;
  payload: LicensePayload | null;
  problem: string | null;
}

const NOT_CHECKED: Pick<LicenseStatus, 'state' | 'reason'> = { state: 'none', reason: 'the licence is being checked (the unit is starting)' };

/**
 * The unit's licence: the held file verified against the vendor keys, the held revocation list,
 * the trusted clock, and the state judged from them at boot (off the boot's critical path: the
 * signature stack loads lazily) and every minute. Changes of state, installs, refusals and
 * clock tampering are audit records.
 */
export class LicenseService {
  private held: Held | null = null;
  private list: RevocationList | null = null;
  private status: LicenseStatus;
  private first: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** The last state (and licence id) and clock tampering written to the audit log this boot. */
  private auditedState: string | null = null;
  private auditedTamperAt: string | null;

  private constructor(
    private readonly d: LicenseServiceDeps,
    private readonly paths: LicensePaths,
    readonly clock: TrustedClock,
    private licenceText: string | null,
    listText: string | null,
  ) {
    this.list = listText === null ? null : heldRevocationList(listText);
    if (listText !== null && !this.list) d.log.warn('the held licence revocation list cannot be read; a newer list must be installed');
    this.auditedTamperAt = clock.tamperedAt();
    this.status = { ...this.judge().status, ...NOT_CHECKED };
  }

  /** Reads the held files, nothing more (the signature checks and the folder's upkeep: see start). */
  static async open(d: LicenseServiceDeps): Promise<LicenseService> {
    const paths = licensePaths(d.dataDir);
    const [clock, licence, list] = await Promise.all([readIfPresent(paths.clock), readIfPresent(paths.licence), readIfPresent(paths.revocations)]);
    return new LicenseService(d, paths, TrustedClock.fromRecord(paths.clock, clock, d.clockSources), licence, list);
  }

  get enforced(): boolean {
    return this.d.enforced;
  }

  /** Starts the first check in the background and the minute checks. */
  start(): void {
    if (this.stopped) return;
    this.first ??= prepareLicenseDir(this.paths)
      .catch((err: unknown) => this.d.log.warn(`licence folder ${this.paths.dir}: ${(err as Error).message}`))
      .then(() => this.check())
      .catch((err: unknown) => this.d.log.error(`licence check failed: ${(err as Error).message}`, { err }));
    this.timer ??= setInterval(() => void this.check().catch((err: unknown) => this.d.log.error(`licence check failed: ${(err as Error).message}`, { err })), this.d.checkEveryMs ?? LICENSE_CHECK_MS);
    this.timer.unref();
  }

  /** Resolves once the first check is done (routes that depend on the state wait for it). */
  async ready(): Promise<void> {
    this.start();
    await this.first;
  }

  current(): LicenseStatus {
    return this.status;
  }

  /** Whether `feature` may be used now (always, when licences are not enforced). */
  allows(feature: LicenseFeature): boolean {
    return !this.d.enforced || this.status.features.includes(feature);
  }

  /** A GNSS fix with a date: trusted time. */
  observeGnss(timeMs: number): void {
    this.clock.observeGnss(timeMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Verifies the held file when needed, judges the state, audits a change, saves the trusted time. */
  check(): Promise<LicenseStatus> {
    return this.serial(() => this.checkNow(true));
  }

  /** The state judged now (GET /v1/license): like check, without saving the trusted time (a request never writes it). */
  refresh(): Promise<LicenseStatus> {
    return this.serial(() => this.checkNow(false));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async checkNow(save: boolean): Promise<LicenseStatus> {
    await this.verifyHeld();
    const { status: next, reading } = this.judge();
    this.status = next;
    if (reading.tampered && reading.tamperedAt !== this.auditedTamperAt) {
      this.auditedTamperAt = reading.tamperedAt;
      await this.record('error', null, `clock tampering: ${reading.tamperReason ?? 'the system clock moved back'}`);
      this.d.log.warn(`licence: clock tampering: ${reading.tamperReason ?? ''}`);
    }
    const key = `${next.state}|${next.licenseId ?? ''}`;
    if (key !== this.auditedState) {
      this.auditedState = key;
      await this.record(next.state === 'active' || next.state === 'none' ? 'ok' : 'error', null, `licence ${next.state}: ${next.reason}`);
      this.d.log.info(`licence: ${next.state}: ${next.reason}`);
    }
    if (save) await this.clock.save().catch((err: unknown) => this.d.log.warn(`licence: the trusted time could not be saved: ${(err as Error).message}`));
    return next;
  }

  private judge(): { status: LicenseStatus; reading: ClockReading } {
    const reading = this.clock.read();
    const revoked = new Map((this.list?.revoked ?? []).map((r) => [r.licenseId, r.reason]));
    const status = judgeLicence({ licence: this.held?.payload ?? null, problem: this.held?.problem ?? null, revoked, revocationListNumber: this.list?.number ?? 0, clock: reading, enforced: this.d.enforced });
    return { status, reading };
  }

  private async keySet(): Promise<VendorKeySet> {
    try {
      return (await this.d.keys()).current();
    } catch (err) {
      throw new LicenseError('no-vendor-keys', `the unit cannot read its vendor keys, so no licence can be checked (${(err as Error).message.slice(0, 160)})`);
    }
  }

  /**
   * Verifies a signed file with the trusted keys. Without readable keys the file is still checked
   * for its form first (junk is told it is junk), then refused as uncheckable.
   */
  private async verifyWith<T>(verify: (lookup: KeyLookup) => Promise<T>): Promise<{ value: T; keys: VendorKeySet }> {
    let keys: VendorKeySet;
    try {
      keys = await this.keySet();
    } catch (err) {
      try {
        await verify(keyLookup(pinnedKeySet([])));
      } catch (formErr) {
        if (!(formErr instanceof LicenseError) || formErr.code !== 'unknown-key') throw formErr;
      }
      throw err;
    }
    return { value: await verify(keyLookup(keys)), keys };
  }

  private async verifyHeld(): Promise<void> {
    const text = this.licenceText;
    if (text === null) {
      this.held = null;
      return;
    }
    let keys: VendorKeySet;
    try {
      keys = await this.keySet();
    } catch (err) {
      this.held = { text, sequence: -1, payload: null, problem: (err as Error).message };
      return;
    }
    if (this.held?.text === text && this.held.sequence === keys.sequence) return;
    try {
      const { payload } = await verifyLicenseFile(text, keyLookup(keys));
      const problem = licenceScopeProblem(payload, this.d.unit());
      this.held = { text, sequence: keys.sequence, payload, problem };
      if (!problem) this.clock.observeSigned(Date.parse(payload.issued));
    } catch (err) {
      if (!(err instanceof LicenseError)) throw err;
      this.held = { text, sequence: keys.sequence, payload: null, problem: `the installed licence file does not count: ${err.message}` };
    }
  }

  /** Installs a licence file (the text as received); a refusal changes nothing. */
  install(text: string, by: Actor): Promise<LicenseStatus> {
    return this.serial(async () => {
      try {
        const { value: { payload }, keys } = await this.verifyWith((lookup) => verifyLicenseFile(text, lookup));
        const scope = licenceScopeProblem(payload, this.d.unit());
        if (scope) throw new LicenseError('wrong-unit', scope);
        const revokedBy = this.list?.revoked.find((r) => r.licenseId === payload.licenseId);
        if (revokedBy) throw new LicenseError('revoked', `licence ${payload.licenseId} is on revocation list ${this.list!.number}${revokedBy.reason ? ` (${revokedBy.reason.slice(0, 120)})` : ''}`);
        const held = this.held?.payload;
        if (held && held.licenseId === payload.licenseId && Date.parse(payload.issued) < Date.parse(held.issued)) {
          throw new LicenseError('older-license', `this file of licence ${payload.licenseId} was issued ${payload.issued}, before the one the unit holds (${held.issued})`);
        }
        const trial = judgeLicence({ licence: payload, problem: null, revoked: new Map(), revocationListNumber: 0, clock: this.clock.read(), enforced: this.d.enforced });
        if (trial.state === 'expired') throw new LicenseError('expired', `not installed: ${trial.reason}`);
        const previous = this.licenceText;
        await writeLicenseFile(this.paths.licence, text);
        if (!(await this.record('ok', by, `licence ${payload.licenseId} installed (features ${payload.features.join(', ') || 'none'}, until ${payload.expires.slice(0, 10)})`))) {
          if (previous === null) await rm(this.paths.licence, { force: true });
          else await writeLicenseFile(this.paths.licence, previous);
          throw new LicenseError('audit-unavailable', 'the audit log could not record the install, so the licence was left as it was; try again');
        }
        this.licenceText = text;
        this.held = { text, sequence: keys.sequence, payload, problem: null };
        this.clock.observeSigned(Date.parse(payload.issued));
        return await this.checkNow(true);
      } catch (err) {
        if (err instanceof LicenseError && err.code !== 'audit-unavailable') await this.record('refused', by, `licence file refused (${err.code}): ${err.message}`);
        throw err;
      }
    });
  }

  /** Applies a revocation list numbered higher than the one held; a refusal changes nothing. */
  applyRevocations(text: string, by: Actor): Promise<RevocationListApplied> {
    return this.serial(async () => {
      try {
        const { list } = (await this.verifyWith((lookup) => verifyRevocationListFile(text, lookup))).value;
        const heldNumber = this.list?.number ?? 0;
        if (list.number <= heldNumber) throw new LicenseError('older-list', `revocation list ${list.number} is not newer than list ${heldNumber}, which the unit holds`);
        await writeLicenseFile(this.paths.revocations, text);
        this.list = list;
        // Kept even when the audit record fails: a revocation only takes features away.
        await this.record('ok', by, `revocation list ${list.number} applied (${list.revoked.length} licences revoked)`);
        const status = await this.checkNow(true);
        return { number: list.number, revokedCount: list.revoked.length, state: status.state };
      } catch (err) {
        if (err instanceof LicenseError) await this.record('refused', by, `revocation list refused (${err.code}): ${err.message}`);
        throw err;
      }
    });
  }

  private record(outcome: 'ok' | 'refused' | 'error', by: Actor | null, detail: string): Promise<boolean> {
    return this.d.audit.write({ event: 'license', outcome, operatorFingerprint: by?.fingerprint ?? null, role: by?.role ?? null, via: by ? 'network' : 'boot', detail: detail.slice(0, 500) });
  }
}
