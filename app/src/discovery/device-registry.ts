import type { DeviceEntry, DeviceInfo, DeviceLink, GnssStatus, LinkKind, PairingInfo } from '@pitwall/protocol';
import type { DeviceRepo } from '../store/device-repo.js';
import type { Pin, PinRepo } from '../store/pin-repo.js';
import { pairingInfo } from '../trust/pairing-state.js';

/** Who a unit says it is, from whichever source saw it (TXT, /v1/info, serial info). */
export interface UnitIdentity {
  id: string;
  name: string;
  model: string;
  firmware: string;
  /** null when the source does not carry it (mDNS TXT): the known commit is kept. */
  commit: string | null;
  /**
   * The key this link presented: the TLS certificate's key fingerprint, the mDNS TXT `fp`, or
   * the serial `info` fingerprint. Undefined keeps what the link presented before.
   */
  fingerprint?: string | null;
  /**
   * The link proved `fingerprint` in a TLS handshake (the key of the certificate it signed
   * with); false or absent: it only claims it (mDNS TXT, serial `info`).
   */
  verified?: boolean;
}

/** A unit's identity as its /v1/info (or serial `info`) states it, with the key its link presented. */
export function identityFromInfo(info: DeviceInfo, fingerprint: string | null, verified = false): UnitIdentity {
  return { id: info.id, name: info.name, model: info.model, firmware: info.firmware.version, commit: info.firmware.commit, fingerprint, verified };
}

interface UnitState {
  identity: UnitIdentity;
  links: Map<string, DeviceLink>;
  /** Key presented per link (same keys as `links`). */
  keys: Map<string, string | null>;
  /** Links whose key in `keys` was proved in a TLS handshake, not just claimed. */
  proved: Set<string>;
  lastSeen: number;
  gnss: GnssStatus | null;
}

export interface RegistryOptions {
  /** Called with the whole list after changes, at most once per `debounceMs`. */
  onChange?: (entries: DeviceEntry[]) => void;
  debounceMs?: number;
  /** How often an unchanged online link's last-seen time is written to the store. */
  persistEveryMs?: number;
  /** Why an advert was ignored. */
  debug?: (message: string) => void;
}

const linkKey = (kind: LinkKind, target: string): string => `${kind} ${target}`;

/**
 * Units the list keeps that only mDNS adverts vouch for (not paired, no USB, not added by
 * address). Anyone on the LAN can advertise; past this, the oldest offline one is dropped, and
 * while all are online new adverts are ignored.
 */
export const MAX_ADVERTISED_UNITS = 256;
const KIND_ORDER: Record<LinkKind, number> = { usb: 0, mdns: 1, address: 2 };

/**
 * The one device list, keyed by unit id, that every discovery source feeds. A unit seen over
 * mDNS and USB is one entry with two links; an entry is online while any link is.
 * Persisted through the repo (if any); units known from earlier runs start offline.
 */
export class DeviceRegistry {
  private readonly units = new Map<string, UnitState>();
  private readonly persistedAt = new Map<string, number>();
  private readonly pins = new Map<string, Pin>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly repo: DeviceRepo | null,
    private readonly opts: RegistryOptions = {},
    pinRepo: PinRepo | null = null,
  ) {
    for (const pin of pinRepo?.list() ?? []) this.pins.set(pin.unitId, pin);
    if (!repo) return;
    const links = repo.listLinks();
    for (const u of repo.listUnits()) {
      const state: UnitState = {
        identity: { id: u.id, name: u.name, model: u.model, firmware: u.firmware, commit: u.commit },
        links: new Map(),
        keys: new Map(),
        proved: new Set(),
        lastSeen: u.lastSeen,
        gnss: null,
      };
      for (const l of links.filter((l) => l.unitId === u.id)) {
        state.links.set(linkKey(l.kind, l.target), { kind: l.kind, target: l.target, online: false, lastSeen: l.lastSeen });
      }
      this.units.set(u.id, state);
    }
  }

  /** A source heard from the unit over (kind, target) just now. */
  linkUp(seen: UnitIdentity, kind: LinkKind, target: string, now = Date.now()): void {
    const { fingerprint, verified, ...identity } = seen;
    // Anyone on the LAN can advertise a paired unit's id: its name and firmware change only
    // through a link that proved the pinned key in TLS, or through its USB cable.
    const pin = this.pins.get(identity.id);
    const vouched = !pin || (fingerprint === pin.fingerprint && (verified === true || kind === 'usb'));
    // the same wire now leads to another unit (e.g. a different unit on the same port)
    for (const [id, other] of this.units) {
      if (id !== identity.id) this.setOffline(other, kind, target);
    }
    let state = this.units.get(identity.id);
    let changed = false;
    const pairingBefore = state && this.pairingOf(identity.id, state);
    if (!state && kind === 'mdns' && !pin && !this.roomForAdvertised()) {
      this.opts.debug?.(`mdns: ignoring ${identity.id} at ${target}: ${MAX_ADVERTISED_UNITS} advertised units are listed and online`);
      return;
    }
    if (!state) {
      state = { identity: { ...identity }, links: new Map(), keys: new Map(), proved: new Set(), lastSeen: now, gnss: null };
      this.units.set(identity.id, state);
      changed = true;
    } else if (vouched) {
      const merged = { ...identity, commit: identity.commit ?? state.identity.commit };
      if (JSON.stringify(merged) !== JSON.stringify(state.identity)) changed = true;
      state.identity = merged;
    }
    const key = linkKey(kind, target);
    const link = state.links.get(key);
    if (!link || !link.online) changed = true;
    // a unit has one current mDNS service and one USB port: older offline ones of the same kind are stale
    if (kind !== 'address') {
      for (const [k, l] of state.links) {
        if (k !== key && l.kind === kind && !l.online) {
          state.links.delete(k);
          state.keys.delete(k);
          state.proved.delete(k);
          this.repo?.deleteLink(identity.id, l.kind, l.target);
          changed = true;
        }
      }
    }
    state.links.set(key, { kind, target, online: true, lastSeen: now });
    // A claim does not overwrite a key this link proved.
    if (fingerprint !== undefined && (verified === true || !state.proved.has(key))) {
      state.keys.set(key, fingerprint);
      if (verified === true && fingerprint !== null) state.proved.add(key);
      else state.proved.delete(key);
    }
    if (JSON.stringify(pairingBefore) !== JSON.stringify(this.pairingOf(identity.id, state))) changed = true;
    state.lastSeen = Math.max(state.lastSeen, now);
    const persistKey = `${identity.id} ${key}`;
    const last = this.persistedAt.get(persistKey);
    if (changed || last === undefined || now - last >= (this.opts.persistEveryMs ?? 10_000)) {
      this.repo?.recordSighting({ ...state.identity, lastSeen: state.lastSeen }, { kind, target, lastSeen: now });
      this.persistedAt.set(persistKey, now);
    }
    if (changed) this.changed();
  }

  /** Room for one more unit known only from adverts: true, after dropping the oldest offline one if needed. */
  private roomForAdvertised(): boolean {
    const advertised = [...this.units.entries()].filter(([id, u]) => !this.pins.has(id) && [...u.links.values()].every((l) => l.kind === 'mdns'));
    if (advertised.length < MAX_ADVERTISED_UNITS) return true;
    const offline = advertised.filter(([, u]) => ![...u.links.values()].some((l) => l.online)).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    if (offline.length === 0) return false;
    this.forget(offline[0]![0]);
    return true;
  }

  /** The link (kind, target) stopped answering; `unitId` limits it to one unit. */
  linkDown(kind: LinkKind, target: string, unitId?: string): void {
    for (const [id, state] of this.units) {
      if (unitId === undefined || unitId === id) this.setOffline(state, kind, target);
    }
  }

  setGnss(id: string, gnss: GnssStatus | null): void {
    const state = this.units.get(id);
    if (!state) return;
    if (JSON.stringify(state.gnss) === JSON.stringify(gnss)) return;
    state.gnss = gnss;
    this.changed();
  }

  /** Records (or with null, drops) the key pinned for a unit; the store is written by the caller. */
  setPin(id: string, pin: Pin | null): void {
    if (pin) this.pins.set(id, pin);
    else this.pins.delete(id);
    this.changed();
  }

  pin(id: string): Pin | undefined {
    return this.pins.get(id);
  }

  pairing(id: string): PairingInfo {
    const state = this.units.get(id);
    return state ? this.pairingOf(id, state) : pairingInfo(this.pins.get(id) ?? null, []);
  }

  /** Keys presented by the unit's online network links (fingerprint null when unknown; `proved` in TLS or only claimed). */
  networkKeys(id: string): { target: string; fingerprint: string | null; proved: boolean }[] {
    const state = this.units.get(id);
    if (!state) return [];
    return [...state.links.entries()]
      .filter(([, l]) => l.online && l.kind !== 'usb')
      .sort(([, a], [, b]) => b.lastSeen - a.lastSeen)
      .map(([k, l]) => ({ target: l.target, fingerprint: state.keys.get(k) ?? null, proved: state.proved.has(k) }));
  }

  /**
   * Online network targets that may carry authenticated calls: every link whose last presented
   * key is the pinned one or not known yet (the TLS pin check still refuses a wrong key), those
   * that proved the pinned key first (a fresh advert claiming it is tried after them).
   * A link known to present another key is never used.
   */
  trustedTargets(id: string): string[] {
    const pin = this.pins.get(id);
    if (!pin) return [];
    const usable = this.networkKeys(id).filter((k) => k.fingerprint === null || k.fingerprint === pin.fingerprint);
    return [...usable.filter((k) => k.proved), ...usable.filter((k) => !k.proved)].map((k) => k.target);
  }

  /** Notes the key the unit's network link at `target` presented (a TLS connection made for any reason). */
  sawKey(id: string, target: string, fingerprint: string): void {
    const state = this.units.get(id);
    if (!state) return;
    for (const [k, l] of state.links) {
      if (l.kind === 'usb' || l.target !== target) continue;
      state.proved.add(k);
      if (state.keys.get(k) === fingerprint) continue;
      state.keys.set(k, fingerprint);
      this.changed();
    }
  }

  forget(id: string): boolean {
    this.pins.delete(id);
    const had = this.units.delete(id);
    this.repo?.forgetUnit(id);
    for (const k of [...this.persistedAt.keys()]) if (k.startsWith(`${id} `)) this.persistedAt.delete(k);
    if (had) this.changed();
    return had;
  }

  has(id: string): boolean {
    return this.units.has(id);
  }

  get(id: string): DeviceEntry | undefined {
    const state = this.units.get(id);
    return state && toEntry(state, this.pairingOf(id, state));
  }

  list(): DeviceEntry[] {
    return [...this.units.entries()].map(([id, s]) => toEntry(s, this.pairingOf(id, s))).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** Online network targets of a unit, most recently heard first (for HTTP calls). */
  networkTargets(id: string): string[] {
    const state = this.units.get(id);
    if (!state) return [];
    return [...state.links.values()]
      .filter((l) => l.online && l.kind !== 'usb')
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .map((l) => l.target);
  }

  /** Every link of a kind with its unit id. */
  linksOf(kind: LinkKind): { id: string; link: DeviceLink }[] {
    const out: { id: string; link: DeviceLink }[] = [];
    for (const [id, state] of this.units) {
      for (const l of state.links.values()) if (l.kind === kind) out.push({ id, link: { ...l } });
    }
    return out;
  }

  /** Emits any pending change now and stops the debounce timer. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.opts.onChange?.(this.list());
    }
  }

  /** Stops emitting changes (pending ones are dropped). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pairingOf(id: string, state: UnitState): PairingInfo {
    const pin = this.pins.get(id) ?? null;
    const seen = [...state.links.entries()].map(([k, l]) => ({ online: l.online, lastSeen: l.lastSeen, fingerprint: state.keys.get(k) ?? null }));
    return pairingInfo(pin, seen);
  }

  private setOffline(state: UnitState, kind: LinkKind, target: string): void {
    const link = state.links.get(linkKey(kind, target));
    if (!link || !link.online) return;
    link.online = false;
    if (![...state.links.values()].some((l) => l.online)) state.gnss = null;
    this.changed();
  }

  private changed(): void {
    if (!this.opts.onChange || this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.opts.onChange?.(this.list());
    }, this.opts.debounceMs ?? 50);
  }
}

function toEntry(state: UnitState, pairing: PairingInfo): DeviceEntry {
  const links = [...state.links.values()]
    .map((l) => ({ ...l }))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.target.localeCompare(b.target));
  const online = links.some((l) => l.online);
  return {
    id: state.identity.id,
    name: state.identity.name,
    model: state.identity.model,
    firmware: state.identity.firmware,
    commit: state.identity.commit,
    links,
    online,
    lastSeen: Math.max(state.lastSeen, ...links.map((l) => l.lastSeen)),
    // GNSS comes from authenticated status: shown only while the unit's key is trusted
    gnss: online && (pairing.state === 'paired' || pairing.state === 'conflict') ? state.gnss : null,
    pairing,
  };
}
