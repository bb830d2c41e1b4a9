let hook: () => void = () => undefined;

/**
 * Runs the small writes waiting for the store's writer thread (a blocked main thread's) before
 * the caller, a long ingest, starts its next transaction. A no-op outside the writer thread.
 */
export function yieldToWrites(): void {
  hook();
}

/** Set by the writer thread (writer-thread.ts). */
export function setYieldHook(fn: () => void): void {
  hook = fn;
}
