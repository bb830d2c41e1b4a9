import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { OwnTrackPushResult } from '../tracks/own-track-push.js';

/** Tracks in the UI contract (methods `tracks:*`, `sessions:set-track`). */
const SessionRef = Type.Integer({ minimum: 1 });
const TrackRef = Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' });

/** A name a person gives a track drawn here: 1 to 80 characters; the handler refuses control characters in a sentence. */
const OwnTrackName = Type.String({ minLength: 1, maxLength: 80 });

/** One layout as a person picks it: the name to read, its length, how far it is. */
export const TrackEntry = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    lengthM: Type.Number(),
    /** From the position asked about to the start/finish, metres; null when no position was given. */
    distanceM: Type.Union([Type.Number(), Type.Null()]),
    /** Drawn in this companion (not from the catalog). */
    own: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type TrackEntry = Static<typeof TrackEntry>;

export const trackMethods = {
  /**
   * The catalog and own tracks; with `near` (or `session`: where that session was driven), those
   * within `withinM` (default 50 km), nearest first.
   */
  'tracks:list': {
    params: Type.Object(
      {
        session: Type.Optional(SessionRef),
        near: Type.Optional(Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false })),
        withinM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20_000_000 })),
      },
      { additionalProperties: false },
    ),
    result: Type.Array(TrackEntry),
  },
  /** Re-times a session on a layout chosen by hand (null: the track chooser decides again); the choice is kept. */
  'sessions:set-track': {
    params: Type.Object({ session: SessionRef, trackId: Type.Union([TrackRef, Type.Null()]) }, { additionalProperties: false }),
    result: Type.Object({ trackId: Type.Union([Type.String(), Type.Null()]), laps: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  },
  /**
   * Draws an own track from a stored session's path (the same as `pitwall tracks add --from`):
   * start/finish square to the path at `at` (a fraction of the lap; default the longest straight),
   * sector lines at `sectorsAt`; stores it and re-times that session on it, chosen by hand.
   */
  'tracks:add': {
    params: Type.Object(
      {
        session: SessionRef,
        name: OwnTrackName,
        at: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
        sectorsAt: Type.Optional(Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), { maxItems: 16 })),
      },
      { additionalProperties: false },
    ),
    result: Type.Object(
      {
        trackId: Type.String(),
        name: Type.String(),
        lengthM: Type.Number(),
        /** Laps of this session now timed on the track. */
        laps: Type.Integer({ minimum: 0 }),
        /** False when the same loop was stored before: that track is the one used. */
        added: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  /** Replaces a paired unit's own tracks with this companion's (owner or dealer); the unit times them from its next start. */
  'tracks:push': {
    params: Type.Object({ unitId: UnitId }, { additionalProperties: false }),
    result: OwnTrackPushResult,
  },
} as const;
