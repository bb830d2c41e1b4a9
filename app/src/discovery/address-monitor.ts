import { probeInfo } from '../device-client/http-client.js';
import type { DeviceRepo } from '../store/device-repo.js';
import { identityFromInfo, type DeviceRegistry } from './device-registry.js';

export interface AddressMonitorOptions {
  pollIntervalMs?: number;
  timeoutMs?: number;
  debug?: (message: string) => void;
}

/**
 * Re-probes the addresses added by hand (persisted, so they are probed again at the next
 * start) with GET /v1/info and keeps their `address` links online or offline.
 */
export class AddressMonitor {
  private readonly targets = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly repo: DeviceRepo | null,
    private readonly opts: AddressMonitorOptions = {},
  ) {
    for (const row of repo?.listManualAddresses() ?? []) this.targets.add(row.target);
    this.timer = setInterval(() => void this.probeAll(), opts.pollIntervalMs ?? 2000);
    this.timer.unref();
    if (this.targets.size > 0) void this.probeAll();
  }

  add(target: string): void {
    this.targets.add(target);
  }

  remove(target: string): void {
    this.targets.delete(target);
  }

  list(): string[] {
    return [...this.targets];
  }

  /** One round of probes (skipped when the previous round is still running). */
  probeAll(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.probeSpread().then(
      () => {
        this.running = null;
      },
      () => {
        this.running = null;
      },
    );
    return this.running;
  }

  /**
   * Starts each probe in its own turn of the event loop: opening twenty TLS connections in one
   * timer callback held the main thread (the UI's) for over a second.
   */
  private async probeSpread(): Promise<void> {
    const probes: Promise<void>[] = [];
    for (const t of [...this.targets]) {
      if (probes.length > 0) await new Promise<void>((r) => setImmediate(r));
      probes.push(this.probe(t));
    }
    await Promise.all(probes);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async probe(target: string): Promise<void> {
    try {
      const { info, presented } = await probeInfo(target, this.opts.timeoutMs ?? 1500);
      if (this.closed || !this.targets.has(target)) return;
      const identity = identityFromInfo(info, presented?.fingerprint ?? null, Boolean(presented));
      const before = this.repo?.listManualAddresses().find((r) => r.target === target)?.unitId;
      this.registry.linkUp(identity, 'address', target);
      if (before !== info.id) this.repo?.saveManualAddress(target, info.id);
    } catch (err) {
      if (this.closed) return;
      this.opts.debug?.(`address ${target}: ${(err as Error).message}`);
      this.registry.linkDown('address', target);
    }
  }
}
