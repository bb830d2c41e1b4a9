import {
  CompanionError,
  pairResult,
  Routes,
  type MethodResult,
  type Operator,
  type PairingWindow,
  type PairResult,
  type Role,
} from '@pitwall/protocol';
import { parseRouteAnswer, routeRequest, UnitRequestError, unitRequest } from '../device-client/http-client.js';
import { SerialRpcError, type SerialRpcClient } from '../device-client/serial-rpc-client.js';
import { UnitAgent, type PresentedKey } from '../device-client/unit-agent.js';
import type { DeviceRegistry } from '../discovery/device-registry.js';
import { fingerprintOfCertificate } from '../identity/fingerprint.js';
import type { OperatorKeyring } from '../identity/operator-key.js';
import type { Pin, PinRepo } from '../store/pin-repo.js';
import { requireOwner } from './owner-requests.js';
import { conflictMessage } from './pairing-state.js';
import type { UnitChannels } from './unit-channel.js';

/** A fingerprint in a URL path: base64url (`/` and `+` are awkward in paths; units accept both forms). */
export function urlFingerprint(fingerprint: string): string {
  return fingerprint.replace(/\+/g, '-').replace(/\//g, '_');
}

export interface PairingDeps {
  registry: DeviceRegistry;
  pins: PinRepo;
  channels: UnitChannels;
  keyring: OperatorKeyring;
  /** The open serial session on a unit's USB port (the scanner's), if any. */
  serialClient(path: string): SerialRpcClient | undefined;
  log(message: string): void;
}

/** Pairing, unpairing and the owner's operator list, over USB (physical presence) or the network (button window). */
export class PairingService {
  constructor(private readonly d: PairingDeps) {}

  private name(id: string): string {
    return this.d.registry.get(id)?.name ?? id;
  }

  /** A network target for public or pairing calls; refuses when links present different keys. */
  private networkTarget(id: string): { target: string; fingerprint: string | null } {
    const keys = this.d.registry.networkKeys(id);
    const known = [...new Set(keys.map((k) => k.fingerprint).filter((f): f is string => f !== null))];
    if (known.length > 1) {
      const pin = this.d.registry.pin(id);
      const other = known.find((k) => k !== pin?.fingerprint) ?? known[1]!;
      throw new CompanionError('conflict', conflictMessage(this.name(id), pin?.fingerprint ?? known.find((k) => k !== other) ?? null, other));
    }
    const first = keys[0];
    if (!first) {
      const usb = this.d.registry.get(id)?.links.some((l) => l.kind === 'usb' && l.online);
      throw new CompanionError('unreachable', usb ? `${this.name(id)} is connected by USB only: pair it over USB, or connect it to this network` : `${this.name(id)} is offline: no network link to it answers right now`);
    }
    return first;
  }

  /** The pairing window (public): whether the unit's pairing button window is open. */
  async window(id: string): Promise<PairingWindow> {
    const { target } = this.networkTarget(id);
    try {
      const res = await unitRequest(target, routeRequest(Routes.pairingWindow));
      if (res.presented) this.d.registry.sawKey(id, target, res.presented.fingerprint);
      return parseRouteAnswer(target, Routes.pairingWindow, res);
    } catch (err) {
      throw this.d.channels.toCompanionError(id, err);
    }
  }

  async pair(id: string, via: 'usb' | 'net', role: Role): Promise<MethodResult<'pairing:pair'>> {
    const operator = await this.d.keyring.get();
    const result = via === 'usb' ? await this.pairUsb(id, role, operator.name, operator.certificatePem) : await this.pairNet(id, role, operator.name);
    if (result.unitId !== id) throw new CompanionError('conflict', `the unit that answered is ${result.unitId}, not ${id}: nothing was pinned`);
    let certFingerprint: string;
    try {
      certFingerprint = fingerprintOfCertificate(result.unitCertificate);
    } catch {
      throw new CompanionError('not-a-unit', `${this.name(id)} sent a certificate that cannot be read: nothing was pinned`);
    }
    if (certFingerprint !== result.unitFingerprint) {
      throw new CompanionError('conflict', `${this.name(id)} sent a certificate whose key (${certFingerprint}) is not the one it claims (${result.unitFingerprint}): nothing was pinned`);
    }
    if (result.operatorFingerprint !== operator.fingerprint) {
      throw new CompanionError('conflict', `${this.name(id)} registered another operator key (${result.operatorFingerprint}) than this companion's: nothing was pinned`);
    }
    const pin: Pin = { unitId: id, fingerprint: result.unitFingerprint, certificate: result.unitCertificate, role: result.role, via, pairedAt: Date.now() };
    this.d.channels.drop(id);
    this.d.pins.save(pin);
    this.d.registry.setPin(id, pin);
    this.d.log(`paired with ${this.name(id)} (${id}) as ${result.role} over ${via}; pinned ${pin.fingerprint}`);
    // Cross-check what the network presents now that a pin exists (USB pairing pins what USB said).
    const mismatch = this.d.registry.networkKeys(id).find((k) => k.fingerprint && k.fingerprint !== pin.fingerprint);
    if (mismatch) this.d.log(`warning: ${this.name(id)} at ${mismatch.target} presents ${mismatch.fingerprint}, not the key pinned over ${via}`);
    else if (this.d.registry.trustedTargets(id).length > 0) {
      await this.d.channels.ensureProven(id).catch((err: Error) => this.d.log(`after pairing, proving ${this.name(id)} failed: ${err.message}`));
    }
    return { role: result.role, unitFingerprint: result.unitFingerprint, operatorFingerprint: operator.fingerprint };
  }

  private async pairUsb(id: string, role: Role, operatorName: string, operatorCertificate: string): Promise<PairResult> {
    const link = this.d.registry.get(id)?.links.find((l) => l.kind === 'usb' && l.online);
    const client = link && this.d.serialClient(link.target);
    if (!link || !client) throw new CompanionError('unreachable', `${this.name(id)} is not connected by USB right now: plug in its USB cable, or pair over the network`);
    let answer: unknown;
    try {
      answer = await client.call('pair', { operatorName, role, operatorCertificate }, 10_000);
    } catch (err) {
      if (err instanceof SerialRpcError && err.kind === 'remote') throw new CompanionError('forbidden', `${this.name(id)} refused to pair over USB: ${err.message}`);
      throw new CompanionError('unreachable', `pairing ${this.name(id)} over USB failed: ${(err as Error).message}`);
    }
    if (!pairResult.is(answer)) throw new CompanionError('not-a-unit', `${this.name(id)} answered the USB pairing call with something that is not a pairing result`);
    return answer;
  }

  private async pairNet(id: string, role: Role, operatorName: string): Promise<PairResult> {
    const { target } = this.networkTarget(id);
    let presented: PresentedKey | null = null;
    const agent = new UnitAgent({
      clientContext: await this.d.channels.clientContext(),
      check: (p) => {
        presented = p;
        return null;
      },
    });
    try {
      const res = await unitRequest(target, routeRequest(Routes.pair, { body: { operatorName, role } }, { agent, timeoutMs: 10_000 }));
      if (res.presented) this.d.registry.sawKey(id, target, res.presented.fingerprint);
      const result = parseRouteAnswer(target, Routes.pair, res);
      if ('pending' in result) {
        // A unit that has an owner makes no further owner over the network by itself.
        const p = result;
        throw new CompanionError(
          'forbidden',
          `${this.name(id)} already has an owner: this request to become an owner waits for an existing owner's approval (request ${p.request.id}; this companion's key ${p.request.operatorFingerprint}, the unit's key ${p.unitFingerprint}). Pair again once it is approved, or pair over USB.`,
        );
      }
      const seen = (presented as PresentedKey | null)?.fingerprint;
      if (seen !== result.unitFingerprint) {
        throw new CompanionError('conflict', `${this.name(id)} at ${target} presented ${seen ?? 'no key'} in TLS but claims ${result.unitFingerprint}: nothing was pinned`);
      }
      return result;
    } catch (err) {
      if (err instanceof UnitRequestError && err.apiCode === 'pairing-closed') {
        throw new CompanionError('pairing-closed', `${this.name(id)} is not accepting network pairing now: press the pairing button on the unit, then try again within 2 minutes.`);
      }
      throw this.d.channels.toCompanionError(id, err);
    } finally {
      agent.destroy();
    }
  }

  /** Forgets the pin; an owner first revokes its own operator on the unit when it is reachable. */
  async unpair(id: string): Promise<void> {
    const pin = this.d.registry.pin(id);
    if (pin?.role === 'owner') {
      const operator = await this.d.keyring.get();
      await this.d.channels
        .callRoute(id, Routes.revokeOperator, { params: { fingerprint: urlFingerprint(operator.fingerprint) } })
        .then(() => this.d.log(`unpair: revoked this companion on ${this.name(id)}`))
        .catch((err: Error) => this.d.log(`unpair: could not revoke this companion on ${this.name(id)} (${err.message}); forgetting it here only`));
    }
    this.d.channels.drop(id);
    this.d.pins.delete(id);
    this.d.registry.setPin(id, null);
  }

  private requireOwner(id: string): void {
    requireOwner(this.d.channels, this.d.registry, id, 'see and revoke operators');
  }

  async operators(id: string): Promise<Operator[]> {
    this.requireOwner(id);
    return (await this.d.channels.callRoute(id, Routes.operators)).operators;
  }

  async revoke(id: string, fingerprint: string): Promise<void> {
    this.requireOwner(id);
    await this.d.channels.callRoute(id, Routes.revokeOperator, { params: { fingerprint: urlFingerprint(fingerprint) } });
  }
}
