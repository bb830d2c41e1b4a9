import { getStatus } from '../device-client/http-client.js';
import type { DeviceRegistry } from './device-registry.js';

/**
 * Keeps the GNSS status of online units current in the device list: every interval, one
 * GET /v1/status per unit through its best network link. USB-only units keep `gnss: null`
 * (status is served over HTTP only for now).
 */
export class GnssRefresher {
  private readonly timer: NodeJS.Timeout;
  private running = false;
  private closed = false;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly opts: { intervalMs?: number; timeoutMs?: number; debug?: (m: string) => void } = {},
  ) {
    this.timer = setInterval(() => void this.refresh(), opts.intervalMs ?? 2000);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      await Promise.all(
        this.registry.list().map(async (entry) => {
          const target = this.registry.networkTargets(entry.id)[0];
          if (!target) return;
          try {
            const status = await getStatus(target, this.opts.timeoutMs ?? 1500);
            if (!this.closed && status.id === entry.id && this.registry.get(entry.id)?.online) this.registry.setGnss(entry.id, status.gnss);
          } catch (err) {
            this.opts.debug?.(`status of ${entry.name} via ${target}: ${(err as Error).message}`);
          }
        }),
      );
    } finally {
      this.running = false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
