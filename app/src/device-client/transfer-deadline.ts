/**
 * How long a transfer of `bytes` from a unit may take in all: a base for connecting and a slow
 * start, plus the bytes at a rate far below any working link (128 KiB/s: a 90 MB session in 12
 * minutes). Idle timeouts alone let a unit keep a transfer alive forever with a byte now and then.
 */
export function transferDeadlineMs(bytes: number, o: { baseMs?: number; minBytesPerS?: number } = {}): number {
  return (o.baseMs ?? 30_000) + (bytes / (o.minBytesPerS ?? 128 * 1024)) * 1000;
}
