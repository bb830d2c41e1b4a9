import { constants } from 'node:fs';
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPtyPair, type PtyPair } from '../pty-pair.js';
import { parseRecording, shiftSentenceTime, type Recording } from './nmea-recording.js';
import { withPitStop } from './pit-stop.js';
import type { GnssSource } from '../gnss-source.js';
import type { Logger } from '../../ops/logger.js';

export interface NmeaReplayerOptions {
  recordingPath: string;
  runDir: string;
  /** Playback speed factor (2 = twice as fast). */
  speed: number;
  log: Logger;
  /**
   * Model a car that keeps driving while the unit is off: the replay's wall-clock start is kept
   * in runDir, and a restarted replayer picks up where the recording is by now.
   */
  continueAfterRestart?: boolean;
  /** End each pass with the car braking into the pits and parked this long, seconds (0: loop straight on). */
  pitStopS?: number;
}

async function replayOffsetMs(opts: NmeaReplayerOptions): Promise<number> {
  if (!opts.continueAfterRestart) return 0;
  const file = join(opts.runDir, 'sim-replay-anchor.json');
  const anchor = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { recording?: string; speed?: number; startedAtMs?: number }, () => null);
  if (anchor && anchor.recording === opts.recordingPath && anchor.speed === opts.speed && typeof anchor.startedAtMs === 'number') {
    return Math.max(0, (Date.now() - anchor.startedAtMs) * opts.speed);
  }
  await writeFile(file, JSON.stringify({ recording: opts.recordingPath, speed: opts.speed, startedAtMs: Date.now() }));
  return 0;
}

/**
 * The simulated receiver: writes a recording onto one end of a pty pair at the recorded
 * pace divided by `speed`, looping forever with times shifted so they keep increasing.
 * The real reader opens the other end.
 */
export function nmeaReplayer(opts: NmeaReplayerOptions): GnssSource {
  let pair: PtyPair | null = null;
  let out: FileHandle | null = null;
  const abort = new AbortController();
  let loop: Promise<void> = Promise.resolve();
  return {
    kind: 'sim',
    async start() {
      const recording = withPitStop(parseRecording(await readFile(opts.recordingPath, 'latin1')), opts.pitStopS ?? 0);
      pair = await openPtyPair(join(opts.runDir, 'gnss-receiver'), join(opts.runDir, 'gnss'));
      out = await open(pair.a, constants.O_WRONLY | constants.O_NOCTTY);
      opts.log.info(`replaying ${opts.recordingPath} (${recording.epochs.length} epochs, ${(recording.durationMs / 1000).toFixed(1)} s${opts.pitStopS ? `, ending in a ${opts.pitStopS} s pit stop` : ''}) at x${opts.speed}`);
      const offsetMs = await replayOffsetMs(opts);
      if (offsetMs > 0) opts.log.info(`continuing the replay ${(offsetMs / 1000).toFixed(1)} s in`);
      loop = play(recording, out, opts.speed, abort.signal, offsetMs).catch((err: Error) => {
        if (!abort.signal.aborted) opts.log.error(`replayer stopped: ${err.message}`);
      });
      return { path: pair.b, baudRate: 115200 };
    },
    async stop() {
      abort.abort();
      await loop;
      await out?.close().catch(() => {});
      await pair?.close();
      out = null;
      pair = null;
    },
  };
}

async function play(rec: Recording, out: FileHandle, speed: number, signal: AbortSignal, offsetMs = 0): Promise<void> {
  const t0 = performance.now() - offsetMs / speed;
  for (let pass = Math.floor(offsetMs / rec.durationMs); !signal.aborted; pass++) {
    const shift = pass * rec.durationMs;
    for (const epoch of rec.epochs) {
      if (shift + epoch.offsetMs < offsetMs) continue;
      const due = t0 + (shift + epoch.offsetMs) / speed;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal });
      const text = epoch.lines.map((l) => shiftSentenceTime(l, shift)).join('\r\n') + '\r\n';
      await out.write(text);
    }
  }
}
