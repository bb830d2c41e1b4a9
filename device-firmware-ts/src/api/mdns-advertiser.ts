import Bonjour from 'bonjour-service';
import { MDNS_PROTOCOL, MDNS_SERVICE_TYPE, mdnsTxt, type MdnsTxt } from '@pitwall/protocol';
import type { Logger } from '../ops/logger.js';

export interface MdnsAdvertiserOptions {
  id: string;
  name: string;
  model: string;
  firmwareVersion: string;
  apiPort: number;
  /** Identity key fingerprint (TXT `fp`); omitted while the key is missing or corrupt. */
  fingerprint?: string | null;
  log: Logger;
  /** How long to wait for the probe to succeed before assuming a name collision. */
  probeTimeoutMs?: number;
}

export interface MdnsAdvertiser {
  /** The instance name finally published (differs from the unit name after a collision). */
  readonly instanceName: () => string;
  stop(): Promise<void>;
}

const MAX_RENAMES = 5;

/** Advertises `_pitwall._tcp` on the API port; `stop()` sends the goodbye (TTL 0) packets. */
export function startMdnsAdvertiser(opts: MdnsAdvertiserOptions): MdnsAdvertiser {
  const txt: MdnsTxt = mdnsTxt.parse({
    id: opts.id,
    name: opts.name,
    model: opts.model,
    fw: opts.firmwareVersion,
    api: String(opts.apiPort),
    ...(opts.fingerprint ? { fp: opts.fingerprint } : {}),
  });
  const bonjour = new Bonjour({}, (err: Error) => opts.log.warn(`mdns: ${err.message}`));
  const mdns = (bonjour as unknown as { server: { mdns: NodeJS.EventEmitter } }).server.mdns;
  mdns.on('error', (err: Error) => opts.log.warn(`mdns socket: ${err.message}`));
  mdns.on('warning', (err: Error) => opts.log.warn(`mdns: ${err.message}`));
  // Every sim unit on one machine shares os.hostname(); a per-unit host name keeps A records apart.
  const host = `pitwall-${opts.id.slice(0, 8)}.local`;
  let current = opts.name;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const publish = (name: string, attempt: number) => {
    current = name;
    const s = bonjour.publish({ name, type: MDNS_SERVICE_TYPE, protocol: MDNS_PROTOCOL, port: opts.apiPort, host, txt, disableIPv6: true });
    s.on('error', (err: Error) => opts.log.warn(`mdns service: ${err.message}`));
    s.once('up', () => {
      if (timer) clearTimeout(timer);
      opts.log.info(`mdns: advertising "${name}" ${MDNS_SERVICE_TYPE}._${MDNS_PROTOCOL} port ${opts.apiPort}`);
    });
    // bonjour-service stops a service silently when its probe finds the name taken: retry renamed.
    timer = setTimeout(() => {
      if (stopped || s.published || attempt >= MAX_RENAMES) return;
      opts.log.warn(`mdns: name "${name}" seems taken; renaming`);
      publish(`${opts.name} (${attempt === 0 ? opts.id.slice(0, 4) : `${opts.id.slice(0, 4)}-${attempt + 1}`})`, attempt + 1);
    }, opts.probeTimeoutMs ?? 2000);
    timer.unref();
  };
  publish(opts.name, 0);

  return {
    instanceName: () => current,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        bonjour.unpublishAll(() => {
          clearTimeout(t);
          resolve();
        });
      });
      await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    },
  };
}
