/**
 * The unit's own tracks, pushed by a companion (`pitwall tracks push`): GET lists them, PUT
 * replaces them (owner or dealer). The data path loads catalog + own tracks when it starts, so a
 * pushed list times laps from the unit's next start on.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ownTrackList, ownTrackListProblem, Routes, type OwnTrackList as OwnTrackListT } from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import { loadOwnTracks, saveOwnTracks } from '../pipeline/own-track-file.js';
import type { Logger } from '../ops/logger.js';
import { serve } from './table-route.js';

export interface TrackRoutesDeps {
  dataDir: string;
  audit: AuditLog;
  log: Logger;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}


/** The schema's first complaint about a body, short enough to read. */
function firstSchemaProblem(body: unknown): string {
  try {
    ownTrackList.parse(body);
    return 'not an own track list';
  } catch (err) {
    return (err as Error).message.slice(0, 300);
  }
}

export function registerTrackRoutes(app: FastifyInstance, d: TrackRoutesDeps): void {
  // One replacement at a time: each one's undo (when the audit record fails) restores what it replaced.
  let queue: Promise<unknown> = Promise.resolve();

  serve(app, Routes.ownTracks, async () => ({
    tracks: await loadOwnTracks(d.dataDir, d.log),
  }));

  // The body is checked here, not by the server's validator: that one coerces types (null and
  // "900" would pass as numbers), which suits a query string, never a track.
  serve(
    app,
    Routes.pushOwnTracks,
    async (req, reply) => {
      const body: unknown = req.body; // unchecked until here (bodyCheckedByHandler)
      const problem = ownTrackList.is(body) ? ownTrackListProblem(body) : firstSchemaProblem(body);
      if (problem) return d.send(reply, 400, 'bad-tracks', `own tracks refused, nothing changed: ${problem}`);
      const list = body as OwnTrackListT;
      const op = req.operator!;
      const run = queue.then(async () => {
        const before = await loadOwnTracks(d.dataDir, d.log);
        await saveOwnTracks(d.dataDir, list.tracks);
        const recorded = await d.audit.write({
          event: 'tracks',
          outcome: 'ok',
          operatorFingerprint: op.fingerprint,
          role: op.role,
          via: 'network',
          detail: `"${op.name.slice(0, 80)}" replaced the own tracks: ${before.length} -> ${list.tracks.length} (from the next start)`,
        });
        if (!recorded) await saveOwnTracks(d.dataDir, before);
        return recorded;
      });
      queue = run.catch(() => undefined);
      if (!(await run)) return d.send(reply, 503, 'audit-unavailable', 'the audit log could not record the change, so the own tracks were left as they were; try again');
      d.log.info(`own tracks replaced by ${op.role} ${op.fingerprint}: ${list.tracks.length} tracks, timed from the next start`);
      return { tracks: list.tracks.length, appliesFrom: 'next-start' as const };
    },
    { bodyCheckedByHandler: true },
  );
}
