import { CompanionError, Routes, type Operator, type OwnerRequest } from '@pitwall/protocol';
import type { DeviceRegistry } from '../discovery/device-registry.js';
import type { UnitChannels } from './unit-channel.js';


/** The pin of a unit this companion owns, or `forbidden` naming what only an owner may do. */
export function requireOwner(channels: UnitChannels, registry: DeviceRegistry, id: string, what: string): void {
  const pin = channels.requirePin(id);
  if (pin.role !== 'owner') {
    throw new CompanionError('forbidden', `only an owner of ${registry.get(id)?.name ?? id} can ${what}; this companion is paired as ${pin.role}`);
  }
}

/**
 * Requests to become an owner of a unit that already has one: an owner of it lists them and
 * approves or denies each over its own authenticated channel. The unit keeps them (in memory,
 * 10 minutes); this side remembers when listed ones expire, to say "expired" rather than "unknown".
 */
export class OwnerRequests {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly channels: UnitChannels,
  ) {}

  private name(id: string): string {
    return this.registry.get(id)?.name ?? id;
  }

  async list(id: string): Promise<{ unitFingerprint: string; requests: OwnerRequest[] }> {
    requireOwner(this.channels, this.registry, id, 'see and answer requests to become an owner');
    const { requests } = await this.channels.callRoute(id, Routes.ownerRequests);
    for (const r of requests) this.seen.set(`${id}/${r.id}`, r.expiresAt);
    return { unitFingerprint: this.channels.requirePin(id).fingerprint, requests };
  }

  async approve(id: string, requestId: string): Promise<Operator> {
    requireOwner(this.channels, this.registry, id, 'approve a request to become an owner');
    return this.answer(id, requestId, () => this.channels.callRoute(id, Routes.approveOwnerRequest, { params: { id: requestId } }));
  }

  async deny(id: string, requestId: string): Promise<void> {
    requireOwner(this.channels, this.registry, id, 'deny a request to become an owner');
    await this.answer(id, requestId, () => this.channels.callRoute(id, Routes.denyOwnerRequest, { params: { id: requestId } }));
  }

  private async answer<T>(id: string, requestId: string, send: () => Promise<T>): Promise<T> {
    if (!/^[a-f0-9]{16}$/.test(requestId)) throw new CompanionError('invalid-params', `"${requestId.slice(0, 40)}" is not a request id (16 hex digits)`);
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof CompanionError) || err.code !== 'not-found') throw err;
      const expiresAt = this.seen.get(`${id}/${requestId}`);
      if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
        throw new CompanionError('not-found', `request ${requestId} on ${this.name(id)} expired at ${expiresAt}: the requester must press the unit's pairing button and ask again`);
      }
      throw new CompanionError('not-found', `${this.name(id)} has no pending request ${requestId}: it was already answered, it expired (requests last 10 minutes), or it never existed`);
    } finally {
      this.seen.delete(`${id}/${requestId}`);
    }
  }
}
