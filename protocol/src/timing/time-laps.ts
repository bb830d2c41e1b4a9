import { LapTimer, type Lap, type LapEvent, type LapTimerOptions, type TimedTrack, type TimingFix } from './lap-timer.js';

export interface TimedSession {
  laps: Lap[];
  events: LapEvent[];
  /** Index into `laps` of the fastest lap, or -1. */
  bestIndex: number;
  /** Fixes dropped because their time did not advance. */
  skippedFixes: number;
}

/** Times a whole recording at once: the same code path as the live timer, fix by fix. */
export function timeLaps(fixes: Iterable<TimingFix>, track: TimedTrack, options?: LapTimerOptions): TimedSession {
  const timer = new LapTimer(track, options);
  const events: LapEvent[] = [];
  for (const fix of fixes) events.push(...timer.push(fix));
  let bestIndex = -1;
  timer.laps.forEach((l, i) => {
    if (bestIndex < 0 || l.timeMs < timer.laps[bestIndex]!.timeMs) bestIndex = i;
  });
  return { laps: timer.laps, events, bestIndex, skippedFixes: timer.skippedFixes };
}
