import { Routes } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';
import type { DeviceRegistry } from './device-registry.js';

/**
 * Keeps the GNSS status of online paired units current in the device list: every interval, one
 * authenticated GET /v1/status per unit (status needs pairing). Unpaired units, units whose
 * key changed and USB-only units keep `gnss: null`.
 */
export class GnssRefresher {
  private readonly timer: NodeJS.Timeout;
  private running = false;
  private closed = false;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly channels: UnitChannels,
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
          if (entry.pairing.state !== 'paired' && entry.pairing.state !== 'conflict') return;
          if (this.registry.trustedTargets(entry.id).length === 0) return;
          try {
            const status = await this.channels.callRoute(entry.id, Routes.status, {}, { timeoutMs: this.opts.timeoutMs ?? 1500 });
            if (!this.closed && status.id === entry.id && this.registry.get(entry.id)?.online) this.registry.setGnss(entry.id, status.gnss);
          } catch (err) {
            this.opts.debug?.(`status of ${entry.name}: ${(err as Error).message}`);
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
