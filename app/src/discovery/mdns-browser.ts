import { Bonjour, type Browser, type Service } from 'bonjour-service';
import { MDNS_PROTOCOL, MDNS_SERVICE_TYPE, mdnsTxt } from '@pitwall/protocol';
import { probeInfo } from '../device-client/http-client.js';
import { targetOf } from './address-prober.js';
import { identityFromInfo, type UnitIdentity } from './device-registry.js';

export interface MdnsSink {
  up(identity: UnitIdentity, target: string): void;
  down(unitId: string, target: string): void;
  debug(message: string): void;
}

export interface MdnsBrowserOptions {
  /** How often to re-query and to verify known services over HTTP (a SIGKILLed unit sends no goodbye). */
  verifyEveryMs?: number;
  verifyTimeoutMs?: number;
}

interface Known {
  id: string;
  target: string;
  identity: UnitIdentity;
  online: boolean;
}

/**
 * Browses `_pitwall._tcp`. Valid services become `up` links; a goodbye, a TTL expiry or a
 * failed periodic check of GET /v1/info makes them `down`. Invalid TXT is ignored with a reason.
 */
export class MdnsBrowser {
  private readonly bonjour: Bonjour;
  private readonly browser: Browser;
  private readonly known = new Map<string, Known>();
  private readonly timer: NodeJS.Timeout;
  private verifying = false;
  private closed = false;

  constructor(
    private readonly sink: MdnsSink,
    private readonly opts: MdnsBrowserOptions = {},
  ) {
    this.bonjour = new Bonjour({}, (err: Error) => sink.debug(`mdns socket error: ${err.message}`));
    this.browser = this.bonjour.find({ type: MDNS_SERVICE_TYPE, protocol: MDNS_PROTOCOL as 'tcp' });
    this.browser.on('up', (s) => this.onService(s));
    this.browser.on('txt-update', (s) => this.onService(s));
    this.browser.on('srv-update', (s, old) => {
      this.onGone(old, 'service moved');
      this.onService(s);
    });
    this.browser.on('down', (s) => this.onGone(s, 'goodbye or TTL expiry'));
    this.timer = setInterval(() => void this.tick(), opts.verifyEveryMs ?? 2000);
    this.timer.unref();
  }

  /** Sends a fresh PTR query now. */
  query(): void {
    if (!this.closed) this.browser.update();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.browser.stop();
    await new Promise<void>((resolve) => this.bonjour.destroy(() => resolve()));
  }

  private onService(s: Service): void {
    if (this.closed) return;
    const txt = normaliseTxt(s.txt);
    if (!mdnsTxt.is(txt)) {
      let reason = 'TXT does not match MdnsTxt';
      try {
        mdnsTxt.parse(txt);
      } catch (err) {
        reason = (err as Error).message;
      }
      this.sink.debug(`mdns: ignoring ${s.fqdn ?? s.name}: ${reason}`);
      return;
    }
    const host = pickAddress(s);
    if (!host) {
      this.sink.debug(`mdns: ignoring ${s.fqdn}: no usable address`);
      return;
    }
    const port = Number(txt.api) || s.port;
    // The TXT fingerprint is a claim; the TLS probe below replaces it with the key actually presented.
    const identity: UnitIdentity = { id: txt.id, name: txt.name, model: txt.model, firmware: txt.fw, commit: null, fingerprint: txt.fp ?? null };
    const known: Known = { id: txt.id, target: targetOf(host, port), identity, online: true };
    const prev = this.known.get(s.fqdn);
    if (prev && (prev.target !== known.target || prev.id !== known.id)) this.sink.down(prev.id, prev.target);
    this.known.set(s.fqdn, known);
    this.sink.up(identity, known.target);
  }

  private onGone(s: Service, why: string): void {
    const prev = this.known.get(s.fqdn);
    if (!prev) return;
    this.known.delete(s.fqdn);
    this.sink.debug(`mdns: ${prev.identity.name} (${prev.target}) down: ${why}`);
    this.sink.down(prev.id, prev.target);
  }

  private async tick(): Promise<void> {
    if (this.closed || this.verifying) return;
    this.verifying = true;
    try {
      this.browser.expire();
      this.browser.update();
      const timeout = this.opts.verifyTimeoutMs ?? 1500;
      await Promise.all(
        [...this.known.values()].map(async (k) => {
          try {
            const { info, presented } = await probeInfo(k.target, timeout);
            if (this.closed || info.id !== k.id) throw new Error(`another unit (${info.id}) answers at ${k.target}`);
            k.online = true;
            k.identity = identityFromInfo(info, presented?.fingerprint ?? k.identity.fingerprint ?? null, Boolean(presented));
            this.sink.up(k.identity, k.target);
          } catch (err) {
            if (this.closed) return;
            if (k.online) this.sink.debug(`mdns: ${k.identity.name} (${k.target}) failed its check: ${(err as Error).message}`);
            k.online = false;
            this.sink.down(k.id, k.target);
          }
        }),
      );
    } finally {
      this.verifying = false;
    }
  }
}

/** bonjour-service decodes TXT values to strings (or Buffers for binary); make them strings. */
function normaliseTxt(txt: unknown): Record<string, unknown> {
  if (!txt || typeof txt !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(txt as Record<string, unknown>)) {
    out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : v;
  }
  return out;
}

function pickAddress(s: Service): string | undefined {
  const addresses = (s.addresses ?? []).filter((a) => !a.toLowerCase().startsWith('fe80'));
  const referer = s.referer?.address;
  if (referer && (addresses.length === 0 || addresses.includes(referer)) && !referer.toLowerCase().startsWith('fe80')) return referer;
  return addresses.find((a) => !a.includes(':')) ?? addresses[0];
}
