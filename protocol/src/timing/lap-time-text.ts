/**
 * A lap or sector time as people read it, the same in the companion's window and its CLI:
 * "1:02.345", "58.100" under a minute, `empty` when there is none. Rounded to the millisecond
 * first, so 119,999.6 ms reads "2:00.000" (never "1:60.000").
 */
export function formatLapTime(ms: number | null | undefined, empty = '–'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return empty;
  const whole = Math.round(ms);
  const minutes = Math.floor(whole / 60_000);
  const rest = whole - minutes * 60_000;
  const seconds = `${Math.floor(rest / 1000)}.${String(rest % 1000).padStart(3, '0')}`;
  return minutes > 0 ? `${minutes}:${seconds.padStart(6, '0')}` : seconds;
}
