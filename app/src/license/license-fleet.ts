import { CompanionError, Routes, type LicenseInstallOutcome, type LicenseStatus, type SignedLicenseFile, type SignedRevocationListFile, type UnitLicenseView } from '@pitwall/protocol';
import type { DeviceRegistry } from '../discovery/device-registry.js';
import type { UnitChannels } from '../trust/unit-channel.js';
import type { LicenseFile } from './license-file.js';
import type { LicenseStore } from './license-store.js';
import type { RevocationHolder } from './revocation-holder.js';

export interface LicenseFleetOptions {
  channels: UnitChannels;
  registry: DeviceRegistry;
  store: LicenseStore;
  holder: RevocationHolder;
  /** Units whose stored licence changed. */
  onChange?: (views: UnitLicenseView[]) => void;
  log?: (m: string) => void;
  timeoutMs?: number;
}

/**
 * The companion's side of licensing over its authenticated unit channels: asks units for their
 * licence (kept in the store, so it shows offline), installs licence files, and carries the held
 * revocation list to every unit whose list is older. A unit that already has that list or a newer
 * one (409) is not an error: the unit's own number, read again, is what counts.
 */
export class LicenseFleet {
  constructor(private readonly o: LicenseFleetOptions) {}

  /** Every known unit's stored licence (never heard: status null), registry order. */
  views(): UnitLicenseView[] {
    const stored = new Map(this.o.store.all().map((v) => [v.unitId, v]));
    return this.o.registry.list().map((e) => stored.get(e.id) ?? { unitId: e.id, status: null, seenAt: null });
  }

  /** The units this companion can ask now: paired, with a link presenting the pinned key. */
  reachable(): string[] {
    return this.o.registry
      .list()
      .filter((e) => e.online && e.pairing.state === 'paired' && this.o.registry.trustedTargets(e.id).length > 0)
      .map((e) => e.id);
  }

  /** Asks one unit for its licence, brings its revocation list up to the held one, stores the answer. */
  async ask(unitId: string): Promise<UnitLicenseView> {
    let status = await this.o.channels.callRoute(unitId, Routes.license, {}, { timeoutMs: this.timeout() });
    status = await this.carryRevocations(unitId, status);
    return this.keep(unitId, status);
  }

  /** Asks every reachable unit (or the given ones); a unit that does not answer keeps its stored licence. */
  async refresh(unitIds: string[] = this.reachable()): Promise<UnitLicenseView[]> {
    return Promise.all(
      unitIds.map((id) =>
        this.ask(id).catch((err: unknown) => {
          this.o.log?.(`licence of ${this.name(id)}: ${(err as Error).message}`);
          return this.o.store.get(id);
        }),
      ),
    );
  }

  /** Installs one licence file on each unit at once; each unit's outcome, one refusal never stops the others. */
  async install(license: LicenseFile, unitIds: string[]): Promise<LicenseInstallOutcome[]> {
    const body = JSON.parse(license.file.text) as SignedLicenseFile;
    return Promise.all(
      unitIds.map(async (unitId): Promise<LicenseInstallOutcome> => {
        try {
          const status = await this.o.channels.callRoute(unitId, Routes.licenseInstall, { body }, { timeoutMs: this.timeout() });
          const carried = await this.carryRevocations(unitId, status);
          this.keep(unitId, carried);
          return { unitId, ok: true, status: carried, error: null };
        } catch (err) {
          const e = err instanceof CompanionError ? err : this.o.channels.toCompanionError(unitId, err);
          const after = await this.ask(unitId).catch(() => null);
          // The outcome is already the unit's: its refusal reads without "<name> refused: " before it.
          return { unitId, ok: false, status: after?.status ?? null, error: e.message.replace(`${this.name(unitId)} refused: `, '') };
        }
      }),
    );
  }

  /** Pushes the held list when the unit's is older; returns the unit's licence as it stands after. */
  private async carryRevocations(unitId: string, status: LicenseStatus): Promise<LicenseStatus> {
    const held = this.o.holder.current();
    if (!held || status.revocationListNumber >= held.list.number) return status;
    try {
      await this.o.channels.callRoute(unitId, Routes.licenseRevocations, { body: JSON.parse(held.text) as SignedRevocationListFile }, { timeoutMs: this.timeout() });
    } catch (err) {
      // 409 (the unit holds this list or a newer one) or a role without the right: the unit's own answer below says where it stands.
      this.o.log?.(`revocation list ${held.list.number} to ${this.name(unitId)}: ${(err as Error).message}`);
    }
    return this.o.channels.callRoute(unitId, Routes.license, {}, { timeoutMs: this.timeout() });
  }

  /** Keeps a licence the unit reported elsewhere (the `license` part of its /v1/status). */
  record(unitId: string, status: LicenseStatus): UnitLicenseView {
    return this.keep(unitId, status);
  }

  private keep(unitId: string, status: LicenseStatus): UnitLicenseView {
    const view = this.o.store.save(unitId, status);
    this.o.onChange?.([view]);
    return view;
  }

  private name(id: string): string {
    return this.o.registry.get(id)?.name ?? id;
  }

  private timeout(): number {
    return this.o.timeoutMs ?? 5000;
  }
}
