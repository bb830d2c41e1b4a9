import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HealthGateOptions {
  /** The trial: how long the slot must be up (after ready) before it can be marked good. */
  trialS: number;
  /** Fixes must have arrived within this long before the gate's decision (when a receiver is attached). */
  gnssWindowS?: number;
  /** How the API is probed (default: GET of the URL the runtime gave, any answer below 500). */
  probe?: (url: string) => Promise<void>;
}

/** `waitMs`: an attached receiver has not had its window for a first fix yet: ask again then. */
export type GateVerdict = { pass: true } | { pass: false; why: string } | { pass: false; waitMs: number };

/** A liveness probe of the runtime's own API on loopback: only "does it answer", nothing is trusted. */
export function probeApi(url: string, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      if ((res.statusCode ?? 500) < 500) resolve();
      else reject(new Error(`answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The health gate of a slot on trial: it passes once the runtime has been up `trialS` seconds
 * with its API answering and, when a GNSS receiver is attached, fixes arriving; the launcher's
 * watchdog and exit handling cover "no crash" (a crash or a hang ends the trial first).
 */
export class HealthGate {
  private readyAt: number | null = null;
  private apiUrl = '';
  private gnss = { attached: false, fixes: 0 };
  private lastFixGrowthAt: number | null = null;

  constructor(private readonly o: HealthGateOptions) {}

  ready(apiUrl: string, now = performance.now()): void {
    this.readyAt = now;
    this.apiUrl = apiUrl;
  }

  beat(gnss: { attached: boolean; fixes: number }, now = performance.now()): void {
    if (gnss.fixes > this.gnss.fixes) this.lastFixGrowthAt = now;
    this.gnss = gnss;
  }

  /** Milliseconds until the gate can decide (0: now); null before the runtime is ready. */
  dueInMs(now = performance.now()): number | null {
    return this.readyAt === null ? null : Math.max(0, this.readyAt + this.o.trialS * 1000 - now);
  }

  async decide(now = performance.now()): Promise<GateVerdict> {
    if (this.readyAt === null) return { pass: false, why: 'never became ready' };
    const windowMs = (this.o.gnssWindowS ?? Math.max(1, Math.min(5, this.o.trialS))) * 1000;
    // A trial shorter than the window does not fail a receiver still working on its first fix.
    if (this.gnss.attached && this.lastFixGrowthAt === null && now - this.readyAt < windowMs) return { pass: false, waitMs: this.readyAt + windowMs - now };
    if (this.gnss.attached && (this.lastFixGrowthAt === null || now - this.lastFixGrowthAt > windowMs)) {
      const heard = this.lastFixGrowthAt === null ? 'no GNSS fix' : `no GNSS fix in the last ${windowMs / 1000} s`;
      return { pass: false, why: `${heard} after ${Math.round((now - this.readyAt) / 100) / 10} s up (receiver attached)` };
    }
    try {
      await (this.o.probe ?? probeApi)(this.apiUrl);
    } catch (err) {
      return { pass: false, why: `API at ${this.apiUrl} did not answer: ${(err as Error).message}` };
    }
    return { pass: true };
  }
}
