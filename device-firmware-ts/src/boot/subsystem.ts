import type { Logger } from '../ops/logger.js';

/** One piece of the unit: started in the boot list's order, stopped in reverse. */
export interface Subsystem {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A subsystem whose start yields something later subsystems use (`value`). */
export class Part<T> implements Subsystem {
  private v: T | undefined;
  private up = false;

  constructor(
    readonly name: string,
    private readonly onStart: () => Promise<T> | T,
    private readonly onStop: (v: T) => Promise<void> | void = () => {},
  ) {}

  get value(): T {
    // A boot-order mistake, not a runtime condition: the list starts a user before its provider.
    if (!this.up) throw new Error(`${this.name} used before it started`);
    return this.v as T;
  }

  async start(): Promise<void> {
    this.v = await this.onStart();
    this.up = true;
  }

  async stop(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    await this.onStop(this.v as T);
  }
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/**
 * Starts `list` in order, each timed in the boot log. When one fails, the ones already started
 * are stopped in reverse and the error is rethrown. Returns the stop of everything started.
 */
export async function startInOrder(list: readonly Subsystem[], log: Logger): Promise<() => Promise<void>> {
  const started: Subsystem[] = [];
  const stop = async () => {
    for (const s of started.splice(0).reverse()) {
      const t0 = performance.now();
      try {
        await s.stop();
        log.debug(`stopped ${s.name}`, { stage: `stop-${s.name}`, durationMs: ms(t0) });
      } catch (err) {
        log.warn(`stopping ${s.name}: ${(err as Error).message}`);
      }
    }
  };
  for (const s of list) {
    const t0 = performance.now();
    try {
      await s.start();
    } catch (err) {
      log.error(`${s.name} failed to start: ${(err as Error).message}`, { stage: s.name, err });
      await stop();
      throw err;
    }
    started.push(s);
    log.info(`stage ${s.name} done`, { stage: s.name, durationMs: ms(t0) });
  }
  return stop;
}
