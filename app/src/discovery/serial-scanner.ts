import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { USB_GADGET_IDS } from '@pitwall/protocol';
import { SerialRpcClient } from '../device-client/serial-rpc-client.js';
import { identityFromInfo, type UnitIdentity } from './device-registry.js';
import { watchUsbHotplug } from './usb-hotplug.js';

export interface PortListing {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export interface SerialSink {
  up(identity: UnitIdentity, path: string): void;
  down(unitId: string, path: string): void;
  debug(message: string): void;
}

export interface SerialScannerOptions {
  /** Ports to try besides the ones enumerated with the unit's VID/PID (sim units are ptys). */
  serialPaths?: string[];
  /** Port enumeration; `SerialPort.list` by default (it spawns udevadm, which may be missing). */
  listPorts?: () => Promise<PortListing[]>;
  pollIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Rescan on USB attach/detach when the `usb` library loads. Default true. */
  hotplug?: boolean;
}

interface Session {
  client: SerialRpcClient;
  identity: UnitIdentity;
}

/** True for a port whose USB ids are a Pitwall unit's gadget. */
export function isGadgetPort(p: PortListing): boolean {
  const vid = p.vendorId?.toLowerCase();
  const pid = p.productId?.toLowerCase();
  return USB_GADGET_IDS.some((g) => g.vendorId === vid && g.productId === pid);
}

/**
 * Finds units on serial ports: candidates are enumerated ports with the gadget VID/PID plus
 * configured paths; a candidate is a unit when it answers `hello` and `info` over the framed
 * protocol. Recognised ports stay open and are pinged every poll; a port that vanishes, closes
 * or stops answering takes its usb link offline. Enumeration failures are reported, never fatal.
 */
export class SerialScanner {
  private readonly sessions = new Map<string, Session>();
  private readonly retryAt = new Map<string, number>();
  private readonly extraPaths: Set<string>;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private closed = false;
  private stopHotplug: (() => void) | null = null;
  /** Last enumeration failure, null after a successful one. */
  lastListError: string | null = null;

  constructor(
    private readonly sink: SerialSink,
    private readonly opts: SerialScannerOptions = {},
  ) {
    this.extraPaths = new Set(opts.serialPaths ?? []);
    if (opts.hotplug ?? true) {
      void watchUsbHotplug(() => this.scanSoon(), sink.debug).then((stop) => {
        if (this.closed) stop();
        else this.stopHotplug = stop;
      });
    }
    this.schedule(0);
  }

  /** The open RPC session on a recognised unit port (shared: a port has one reader). */
  clientFor(path: string): SerialRpcClient | undefined {
    const session = this.sessions.get(path);
    return session?.client.isOpen ? session.client : undefined;
  }

  addPath(path: string): void {
    this.extraPaths.add(path);
    this.retryAt.delete(path);
    this.scanSoon();
  }

  /** Runs one scan now (or waits for the running one and runs another after it). */
  async scanOnce(): Promise<void> {
    while (this.scanning) await this.scanning;
    if (this.closed) return;
    this.scanning = this.scan().finally(() => (this.scanning = null));
    await this.scanning;
  }

  scanSoon(): void {
    if (this.scanning) this.rescan = true;
    else this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopHotplug?.();
    await this.scanning?.catch(() => undefined);
    await Promise.all([...this.sessions.values()].map((s) => s.client.close()));
    this.sessions.clear();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.scanOnce().finally(() => {
        const again = this.rescan;
        this.rescan = false;
        this.schedule(again ? 0 : (this.opts.pollIntervalMs ?? 2000));
      });
    }, ms);
    this.timer.unref();
  }

  private async candidates(): Promise<Set<string>> {
    const found = new Set<string>();
    for (const p of this.extraPaths) if (existsSync(p)) found.add(p);
    try {
      const list = await (this.opts.listPorts ?? (() => SerialPort.list()))();
      for (const p of list) if (isGadgetPort(p)) found.add(p.path);
      this.lastListError = null;
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      if (this.lastListError !== message) this.sink.debug(`serial: listing ports failed (${message}); retrying next scan`);
      this.lastListError = message;
    }
    return found;
  }

  private async scan(): Promise<void> {
    const candidates = await this.candidates();
    const timeout = this.opts.probeTimeoutMs ?? 1500;
    const work: Promise<void>[] = [];
    for (const [path, session] of this.sessions) {
      if (!candidates.has(path)) {
        work.push(this.drop(path, session, 'port vanished'));
        continue;
      }
      work.push(
        session.client.hello(timeout).then(
          (hello) => {
            if (hello.id !== session.identity.id) return this.drop(path, session, `another unit (${hello.id}) answers`);
            this.sink.up(session.identity, path);
          },
          (err: Error) => this.drop(path, session, err.message),
        ),
      );
    }
    const now = Date.now();
    for (const path of candidates) {
      if (this.sessions.has(path) || (this.retryAt.get(path) ?? 0) > now) continue;
      work.push(this.probe(path, timeout));
    }
    await Promise.all(work);
  }

  private async probe(path: string, timeout: number): Promise<void> {
    let client: SerialRpcClient | null = null;
    try {
      client = await SerialRpcClient.open(path);
      const hello = await client.hello(timeout);
      const info = await client.info(timeout);
      if (info.id !== hello.id) throw new Error(`hello id ${hello.id} differs from info id ${info.id}`);
      if (this.closed) throw new Error('scanner closed');
      const identity = identityFromInfo(info, info.fingerprint);
      const session: Session = { client, identity };
      this.sessions.set(path, session);
      this.retryAt.delete(path);
      client.onClose((reason) => {
        if (this.sessions.get(path) === session) void this.drop(path, session, reason);
      });
      this.sink.up(identity, path);
    } catch (err) {
      await client?.close();
      this.retryAt.set(path, Date.now() + 3 * (this.opts.pollIntervalMs ?? 2000));
      this.sink.debug(`serial: ${path} is not a unit: ${(err as Error).message}`);
    }
  }

  private async drop(path: string, session: Session, reason: string): Promise<void> {
    if (this.sessions.get(path) !== session) return;
    this.sessions.delete(path);
    this.sink.debug(`serial: ${session.identity.name} on ${path} offline: ${reason}`);
    this.sink.down(session.identity.id, path);
    await session.client.close();
  }
}
