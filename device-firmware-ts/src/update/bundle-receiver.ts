import type { Readable } from 'node:stream';
import { BundleError, type BundleErrorCode, type Role, type UpdateStatus } from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import type { Logger } from '../ops/logger.js';
import type { KeyListStore } from './key-list-store.js';
import type { UpdateSource } from './update-state-runner.js';
import { bundleUpdateSource } from './verify-update-source.js';
import type { UnitFacts } from './verify-policy.js';

export interface BundleReceiverDeps {
  /** Runs an update (the UpdateAgent's run): throws an error with code `update-busy` while one is under way. */
  run(source: UpdateSource): Promise<void>;
  status(): Promise<UpdateStatus>;
  /** The unit's trusted vendor keys; rejects (with a BundleError) when they cannot be read. */
  keys(): Promise<KeyListStore>;
  /** The unit's id, model and installed version, as bundles are checked against them. */
  unit(): UnitFacts | Promise<UnitFacts>;
  capacityBytes: number;
  deadlineMs: number;
  idleMs: number;
  audit: AuditLog;
  log: Logger;
}

/** Who sent the bundle, for the audit record. */
export interface BundleSender {
  operatorFingerprint: string | null;
  role: Role | null;
  via: 'network' | 'usb';
}

/** Installed (the status at rebooting), or refused with the HTTP status, the code and a sentence. */
export type BundleOutcome = { ok: true; status: UpdateStatus } | { ok: false; httpStatus: number; code: string; message: string };

/** The HTTP status of a refused bundle: too big 413, too slow 408, the rest the sender's bundle (400). */
function statusOf(code: BundleErrorCode | string): number {
  if (code === 'too-large' || code === 'manifest-too-large') return 413;
  if (code === 'deadline') return 408;
  if (code === 'install-failed') return 500;
  return 400;
}

/**
 * Takes a signed bundle as a byte stream, whatever carries it (an HTTPS body, serial chunks),
 * straight into the update agent: verified while it is staged, nothing reaches the slot
 * unverified. One bundle at a time across every carrier: a second, or one while a slot is on
 * trial, is `update-busy` (409). Every install and refusal is an audit record with its sender.
 */
export class BundleReceiver {
  private receiving = false;
  constructor(private readonly d: BundleReceiverDeps) {}

  get busy(): boolean {
    return this.receiving;
  }

  async receive(body: Readable, who: BundleSender): Promise<BundleOutcome> {
    const audit = (outcome: 'ok' | 'refused' | 'error', detail: string) => this.d.audit.write({ event: 'update', outcome, ...who, detail });
    if (this.receiving) return { ok: false, httpStatus: 409, code: 'update-busy', message: 'another bundle is being pushed to this unit; wait for it to finish' };
    this.receiving = true;
    let source: ReturnType<typeof bundleUpdateSource> | null = null;
    try {
      const keys = await this.d.keys();
      source = bundleUpdateSource({ open: () => body, keys, unit: await this.d.unit(), capacityBytes: this.d.capacityBytes, deadlineMs: this.d.deadlineMs, idleMs: this.d.idleMs });
      await this.d.run(source);
    } catch (err) {
      const e = err as Error & { code?: string };
      body.resume();
      if (e.code === 'update-busy') {
        await audit('refused', `push refused: ${e.message}`);
        return { ok: false, httpStatus: 409, code: 'update-busy', message: `${e.message}; try again once it has finished` };
      }
      if (e instanceof BundleError) {
        await audit('refused', `bundle refused (${e.code}): ${e.message}`);
        return { ok: false, httpStatus: statusOf(e.code), code: e.code, message: `the bundle was refused: ${e.message}` };
      }
      this.d.log.error(`update push failed: ${e.message}`);
      await audit('error', `install failed: ${e.message}`);
      return { ok: false, httpStatus: 500, code: 'install-failed', message: `the bundle could not be installed: ${e.message}` };
    } finally {
      this.receiving = false;
    }
    const v = source.verified();
    await audit('ok', `installed runtime ${v?.manifest.runtimeVersion ?? '?'} signed by key ${v?.signerKeyId ?? '?'}; rebooting into it`);
    return { ok: true, status: await this.d.status() };
  }
}
